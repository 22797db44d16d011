package io.pgconn.operator.budget;

/**
 * Resolves a Deployment's maxSurge the way the Deployment controller does: a percentage of the
 * desired replicas rounded up, or an absolute number. Default 25%.
 */
public final class RolloutSurge {

  private RolloutSurge() {}

  /** @param maxSurge "25%", "2", or null for the default */
  public static int resolve(String maxSurge, int replicas) {
    String value = maxSurge == null || maxSurge.isBlank() ? "25%" : maxSurge.strip();
    if (value.endsWith("%")) {
      int percent = Integer.parseInt(value.substring(0, value.length() - 1));
      return (int) Math.ceil(replicas * percent / 100.0);
    }
    return Integer.parseInt(value);
  }
}
