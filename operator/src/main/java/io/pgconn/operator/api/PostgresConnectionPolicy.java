package io.pgconn.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Which Secret holds a DATABASE_URL, how its pool is tuned and which workloads consume it. */
@Group(PostgresConnectionPolicy.GROUP)
@Version("v1alpha1")
@Kind("PostgresConnectionPolicy")
@Plural("postgresconnectionpolicies")
@Singular("postgresconnectionpolicy")
@ShortNames("pgcp")
@Categories("pgconn")
// kubectl get shows them in this order (the build's CrdPostProcessor step keeps it: the
// generator would sort them by JSON path and put AGE first).
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Limit",
    jsonPath = ".status.pool.connectionLimit",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Usage", jsonPath = ".status.server.usage")
@AdditionalPrinterColumn(name = "SSL", jsonPath = ".status.pool.sslMode")
@AdditionalPrinterColumn(name = "Server", jsonPath = ".status.server.version", priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PostgresConnectionPolicy extends CustomResource<PolicySpec, PolicyStatus>
    implements Namespaced {

  public static final String GROUP = "pgconn.io";

  // No initSpec(): the SDK applies fresh instances (finalizers, status) with server-side apply,
  // and a default spec in them would take over and reset the user's fields.
}
