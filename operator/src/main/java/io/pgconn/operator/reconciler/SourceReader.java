package io.pgconn.operator.reconciler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.api.SourceFieldsSpec;
import io.pgconn.operator.api.SourceJsonSpec;
import io.pgconn.operator.url.ConnectionFields;
import io.pgconn.operator.url.ConnectionFields.Field;
import io.pgconn.operator.url.ConnectionFields.InvalidFieldException;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.InvalidConnectionStringException;
import java.util.Map;

/**
 * The base connection string of a source Secret in the shape the policy names: a URL in one key
 * (spec.source.secretRef), one key per value (spec.source.fields) or a JSON document
 * (spec.source.json). Error messages name the Secret, the key and the field, and never quote a
 * value: the JSON and the keys around the password hold the password.
 */
final class SourceReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SourceReader() {}

  /** The base connection string read from {@code source} (the Secret the spec names). */
  static ConnectionString base(PolicyView view, Secret source) throws PolicyFailure {
    var spec = view.spec().getSource();
    if (spec.getFields() != null) return fields(view.sourceId(), spec.getFields(), source);
    if (spec.getJson() != null) return json(view.sourceId(), spec.getJson(), source);
    SecretKeyRef ref = view.source();
    return InputResolver.parse(view.sourceId(), ref.getKey(), InputResolver.value(source, ref));
  }

  static ConnectionString fields(SecretId id, SourceFieldsSpec spec, Secret source)
      throws PolicyFailure {
    String where = "spec.source.fields";
    ConnectionFields fields =
        new ConnectionFields(
            required(source, spec.getHost(), where + ".host"),
            required(source, spec.getPort(), where + ".port"),
            required(source, spec.getDbname(), where + ".dbname"),
            required(source, spec.getUser(), where + ".user"),
            required(source, spec.getPassword(), where + ".password"),
            spec.getSslmode() == null
                ? null
                : required(source, spec.getSslmode(), where + ".sslmode"),
            spec.getOptions() == null
                ? null
                : required(source, spec.getOptions(), where + ".options"));
    Map<Field, String> keys =
        Map.of(
            Field.HOST, spec.getHost(),
            Field.PORT, spec.getPort(),
            Field.DBNAME, spec.getDbname(),
            Field.USER, spec.getUser(),
            Field.PASSWORD, spec.getPassword(),
            Field.SSLMODE, String.valueOf(spec.getSslmode()),
            Field.OPTIONS, String.valueOf(spec.getOptions()));
    return build(fields, f -> "key " + keys.get(f) + " of Secret " + id, id);
  }

  static ConnectionString json(SecretId id, SourceJsonSpec spec, Secret source)
      throws PolicyFailure {
    String text = InputResolver.value(source, new SecretKeyRef(spec.getName(), spec.getKey()));
    String where = "key " + spec.getKey() + " of Secret " + id + " (spec.source.json)";
    JsonNode doc;
    try {
      doc = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the text around the error: only its position is shown.
      var at = e.getLocation();
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_JSON,
          where
              + " is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ": store the secret's JSON as it is, e.g. {\"username\": ..., \"password\": ...,"
              + " \"host\": ..., \"port\": 5432, \"dbname\": ...}, or use spec.source.fields for"
              + " one key per value");
    }
    if (doc == null || !doc.isObject()) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_JSON,
          where
              + " holds JSON that is not an object: it must be an object with username, password,"
              + " host and port (an RDS secret), or use spec.source.secretRef for a URL");
    }
    String engine = text(doc, "engine", where, false);
    if (engine != null && !engine.toLowerCase(java.util.Locale.ROOT).startsWith("postgres")) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_JSON,
          where
              + " is the secret of a database whose engine is not PostgreSQL: point"
              + " spec.source.json at the secret of a PostgreSQL instance");
    }
    String host = text(doc, "host", where, spec.getHost() == null);
    String port = text(doc, "port", where, false);
    String dbname = text(doc, "dbname", where, false);
    ConnectionFields fields =
        new ConnectionFields(
            host != null ? host : spec.getHost(),
            port != null ? port : spec.getPort() == null ? null : spec.getPort().toString(),
            dbname != null ? dbname : spec.getDbname(),
            text(doc, "username", where, true),
            text(doc, "password", where, true),
            null,
            null);
    return build(fields, f -> where + ", member " + member(f), id);
  }

  private static String member(Field f) {
    return switch (f) {
      case USER -> "username";
      case DBNAME -> "dbname";
      default -> f.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /**
   * A member's text: strings as they are, numbers (a port) as written; never its value in errors.
   */
  private static String text(JsonNode doc, String member, String where, boolean required)
      throws PolicyFailure {
    JsonNode node = doc.get(member);
    if (node == null || node.isNull()) {
      if (!required) return null;
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_JSON,
          where
              + " has no member \""
              + member
              + "\" (it has: "
              + new java.util.TreeSet<>(iterable(doc))
              + "): an RDS secret holds username, password, host and port; add the missing one"
              + ("host".equals(member)
                  ? ", or set spec.source.json.host (RDS-managed master user secrets hold only"
                      + " username and password)"
                  : "")
              + ", or use spec.source.fields to name keys of your own");
    }
    if (node.isTextual()) return node.asText();
    if (node.isIntegralNumber()) return node.asText();
    throw new PolicyFailure(
        PolicyFailure.Reason.INVALID_SOURCE_JSON,
        where
            + ": member \""
            + member
            + "\" is a JSON "
            + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
            + ", not a string"
            + ("port".equals(member) ? " or an integer" : "")
            + ": write it as a JSON string");
  }

  private static java.util.List<String> iterable(JsonNode doc) {
    java.util.List<String> names = new java.util.ArrayList<>();
    doc.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String required(Secret source, String key, String field) throws PolicyFailure {
    return ManagedSecrets.value(source, key)
        .orElseThrow(() -> InputResolver.missingKey(source, key, field));
  }

  private static ConnectionString build(
      ConnectionFields fields, java.util.function.Function<Field, String> where, SecretId id)
      throws PolicyFailure {
    try {
      return fields.toConnectionString();
    } catch (InvalidFieldException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_VALUE,
          where.apply(e.field()) + ": " + e.getMessage());
    } catch (InvalidConnectionStringException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SOURCE_VALUE,
          "the values of Secret "
              + id
              + " do not make a usable connection string: "
              + e.getMessage());
    }
  }
}
