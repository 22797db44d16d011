package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class TargetSpec {

  /**
   * The Secret keys each output may write, as a CEL list per output: its key, plus the extra keys
   * of the formats that write several. The operator checks the same with {@code
   * io.pgconn.operator.url.OutputKeys} (CrdValidationIT holds the two to the same answers).
   */
  private static final String KEY = "(has(o.key) ? o.key : '')";

  private static final String JDBC_PREFIX =
      "(has(o.keyPrefix) ? o.keyPrefix : 'SPRING_DATASOURCE_')";

  private static final String KEYS_OF_OUTPUT =
      "o.format == 'jdbc' ? ["
          + KEY
          + "] + ['URL', 'USERNAME', 'PASSWORD', 'HIKARI_MAXIMUM_POOL_SIZE',"
          + " 'HIKARI_CONNECTION_TIMEOUT'].map(n, "
          + JDBC_PREFIX
          + " + n)"
          + " : o.format == 'node-postgres' || o.format == 'prisma-adapter-pg' ? ["
          + KEY
          + "] + ['_POOL_MAX', '_POOL_CONNECTION_TIMEOUT_MILLIS', '_POOL_IDLE_TIMEOUT_MILLIS']"
          + ".map(n, "
          + KEY
          + " + n)"
          + " : o.format == 'env' ? ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD',"
          + " 'PGAPPNAME', 'PGCONNECT_TIMEOUT', 'PGSSLMODE', 'PGSSLROOTCERT', 'PGSSLCERT',"
          + " 'PGSSLKEY', 'PGSSLCRL', 'PGSSLCRLDIR', 'PGSSLSNI', 'PGSSLCOMPRESSION',"
          + " 'PGSSLNEGOTIATION', 'PGSSLMINPROTOCOLVERSION', 'PGSSLMAXPROTOCOLVERSION',"
          + " 'PGOPTIONS', 'PGTARGETSESSIONATTRS', 'PGLOADBALANCEHOSTS', 'PGCLIENTENCODING',"
          + " 'PGSERVICE', 'PGPASSFILE', 'PGHOSTADDR', 'PGCHANNELBINDING', 'PGGSSENCMODE',"
          + " 'PGGSSLIB', 'PGGSSDELEGATION', 'PGKRBSRVNAME', 'PGREQUIREAUTH',"
          + " 'PGREQUIREPEER'].map(n, (has(o.keyPrefix) ? o.keyPrefix : '') + n)"
          + " : ["
          + KEY
          + "]";

  /**
   * Each key of each output is written by that output alone. The outer one-element list only binds
   * the outputs' key lists to a name, so they are built once.
   */
  static final String OUTPUT_KEYS_RULE =
      "[self.map(o, "
          + KEYS_OF_OUTPUT
          + ")].all(lists, lists.all(keys, keys.all(k, lists.filter(other, k in other).size() == 1)))";

  /**
   * What the operator sets on the target itself, so that it finds and recognises its own Secrets
   * and events: the spec cannot override them.
   */
  private static final String RESERVED_KEYS =
      "self.all(k, k != 'app.kubernetes.io/managed-by' && !k.startsWith('pgconn.io/')"
          + " && !k.contains('.pgconn.io/') && !k.startsWith('javaoperatorsdk.io/'))";

  /**
   * Kubernetes' qualified name: an optional DNS subdomain prefix and '/', then a 63-character name.
   */
  private static final String QUALIFIED_NAME =
      "'^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'";

  private static final String KEY_SYNTAX_MESSAGE =
      " keys must be qualified names as Kubernetes checks them: an optional DNS prefix and '/',"
          + " then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter"
          + " or digit";

  private static final String RESERVED_MESSAGE =
      " cannot set app.kubernetes.io/managed-by or keys under pgconn.io/ or javaoperatorsdk.io/:"
          + " the operator sets those itself to find and recognise its own Secrets."
          + " Use a key of your own domain";

  @JsonPropertyDescription(
      "Secret the operator writes. Default <policy name>-connection. Naming the source Secret"
          + " itself rewrites its key in place (in place mode); the original value is first"
          + " saved in a Secret owned by the policy (<policy name>-original).")
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @Size(max = 253)
  private String secretName;

  @Default("Retain")
  @JsonPropertyDescription(
      "What deleting the policy does to the target Secret. Retain (default): the target is"
          + " written without an owner reference, so deleting or pruning the policy (any"
          + " propagation: background, foreground, orphan) leaves it in place with its last"
          + " content, and pods reading it keep working; it stays labelled"
          + " app.kubernetes.io/managed-by=pgconn-operator and pgconn.io/policy=<policy name>,"
          + " so a policy of the same name in the same namespace adopts it again, and no other"
          + " policy does. Delete: the target carries the policy's owner reference and the"
          + " garbage collector deletes it with the policy. Changing it on a live policy adds or"
          + " removes the owner reference at the next reconcile. In place mode ignores it: the"
          + " source Secret is never deleted, and its original values are restored when the"
          + " policy goes.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  @Size(max = 64)
  @ValidationRule(value = RESERVED_KEYS, message = "spec.target.labels" + RESERVED_MESSAGE)
  @ValidationRule(
      value = "self.all(k, size(k) <= 317 && k.matches(" + QUALIFIED_NAME + "))",
      message = "spec.target.labels:" + KEY_SYNTAX_MESSAGE)
  @JsonPropertyDescription(
      "Labels added to the target Secret, e.g. for your own selectors. The operator's own"
          + " (app.kubernetes.io/managed-by, keys under pgconn.io/) cannot be set here. Avoid"
          + " Argo CD's tracking label (app.kubernetes.io/instance): it makes the Secret an"
          + " extraneous resource of the application, which a pruning sync deletes. Changing"
          + " labels rewrites the Secret's metadata only: the content hash stays, so no workload"
          + " restarts. The API server checks the keys; a value Kubernetes would refuse fails the"
          + " policy (InvalidSpec) before anything is written. Not allowed in place mode.")
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  private Map<String, String> labels;

  @Size(max = 64)
  @ValidationRule(value = RESERVED_KEYS, message = "spec.target.annotations" + RESERVED_MESSAGE)
  @ValidationRule(
      value = "self.all(k, size(k) <= 317 && k.matches(" + QUALIFIED_NAME + "))",
      message = "spec.target.annotations:" + KEY_SYNTAX_MESSAGE)
  @JsonPropertyDescription(
      "Annotations added to the target Secret, e.g. reloader.stakater.com/ignore: \"true\" so"
          + " that Stakater Reloader leaves the restarts to the operator. Keys under pgconn.io/"
          + " and javaoperatorsdk.io/ are the operator's and cannot be set here. Changing them"
          + " restarts no workload. Not allowed in place mode.")
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  private Map<String, String> annotations;

  @Size(max = 16)
  @ValidationRule(
      value = OUTPUT_KEYS_RULE,
      message =
          "two outputs would write the same Secret key: give each output its own key, and each"
              + " jdbc or env output its own keyPrefix (jdbc also writes <keyPrefix>URL, USERNAME,"
              + " PASSWORD, HIKARI_MAXIMUM_POOL_SIZE and HIKARI_CONNECTION_TIMEOUT, keyPrefix"
              + " SPRING_DATASOURCE_ by default; env writes <keyPrefix>PGHOST, PGPORT, PGUSER, ...;"
              + " node-postgres and prisma-adapter-pg write <key>_POOL_MAX, <key>_POOL_CONNECTION_TIMEOUT_MILLIS and"
              + " <key>_POOL_IDLE_TIMEOUT_MILLIS)")
  @JsonPropertyDescription(
      "One entry per client dialect to write. Default: [{key: DATABASE_URL, format: prisma}]."
          + " No two outputs may write the same Secret key (the API server refuses it).")
  private List<OutputSpec> outputs = new ArrayList<>();

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy == null ? DeletionPolicy.Retain : deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public Map<String, String> getLabels() {
    return labels == null ? Map.of() : labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations == null ? Map.of() : annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public List<OutputSpec> getOutputs() {
    return outputs;
  }

  public void setOutputs(List<OutputSpec> outputs) {
    this.outputs = outputs;
  }
}
