package io.pgconn.operator.budget;

/** How a policy wants its per-pod pool sized: a number the user fixed, or a share of the budget. */
public sealed interface PoolSizing permits PoolSizing.Fixed, PoolSizing.Auto {

  /**
   * Whether the per-pod limit is one number whoever else shares the server: a fixed limit, or an
   * auto pool whose min is its max. Peers decide only whether it is admitted, never its size.
   */
  default boolean isOneSize() {
    return this instanceof Fixed || this instanceof Auto auto && auto.min() == auto.max();
  }

  /** The least it is sized to per pod where it fits: its fixed limit, or its min. */
  default int floorPerPod() {
    return this instanceof Fixed fixed ? fixed.connectionLimit() : ((Auto) this).min();
  }

  /** spec.pool.connectionLimit: written as is; it consumes pods x limit before any auto share. */
  record Fixed(int connectionLimit) implements PoolSizing {
    public Fixed {
      if (connectionLimit < 1) throw new IllegalArgumentException("connectionLimit must be >= 1");
    }
  }

  /** spec.pool.auto: a weighted share of what the fixed pools leave, per pod within [min, max]. */
  record Auto(int min, int max, int weight) implements PoolSizing {
    public Auto {
      if (min < 1 || max < min) throw new IllegalArgumentException("need 1 <= min <= max");
      if (weight < 1) throw new IllegalArgumentException("weight must be >= 1");
    }
  }
}
