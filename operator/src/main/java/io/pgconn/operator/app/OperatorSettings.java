package io.pgconn.operator.app;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * Settings under pgconn.* in application.yml (or PGCONN_* environment variables).
 *
 * @param kubeconfig path of a kubeconfig file; unset: in-cluster config, then KUBECONFIG and
 *     ~/.kube/config, as kubectl does
 * @param namespaces namespaces to watch; empty: all namespaces
 */
@ConfigurationProperties("pgconn")
public record OperatorSettings(
    @Nullable String kubeconfig,
    @Bindable(defaultValue = "") List<String> namespaces) {

  public List<String> watchedNamespaces() {
    return namespaces == null ? List.of()
        : namespaces.stream().filter(n -> n != null && !n.isBlank()).toList();
  }
}
