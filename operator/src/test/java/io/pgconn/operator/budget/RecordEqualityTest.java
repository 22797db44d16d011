package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The budget's hot records write equals and hashCode out (C1, the image's only compiler, runs the
 * generated ones through method handles it does not inline). They must still mean what a record's
 * do: equal exactly when every component is equal. Each record is built from sample components,
 * then again with one component changed at a time, and with reference components null.
 */
class RecordEqualityTest {

  @ParameterizedTest
  @ValueSource(
      classes = {
        ServerKey.class,
        LimitScope.class,
        DecisionTerms.Arithmetic.class,
        DecisionTerms.Admitted.class,
        DecisionTerms.Refused.class
      })
  void equalExactlyWhenEveryComponentIsEqual(Class<?> type) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    Object[] sample = new Object[components.length];
    for (int i = 0; i < components.length; i++) sample[i] = value(components[i].getType(), 0);
    Object record = build(type, sample);

    Object copy = build(type, sample.clone());
    assertThat(copy).isEqualTo(record).isNotSameAs(record);
    assertThat(copy.hashCode()).isEqualTo(record.hashCode());
    assertThat(record).isNotEqualTo(null).isNotEqualTo(new Object());

    for (int i = 0; i < components.length; i++) {
      Object[] other = sample.clone();
      other[i] = value(components[i].getType(), 1);
      assertThat(build(type, other))
          .as("%s differing only in %s", type.getSimpleName(), components[i].getName())
          .isNotEqualTo(record);
      if (!components[i].getType().isPrimitive() && type != ServerKey.class) {
        Object[] nulled = sample.clone();
        nulled[i] = null;
        Object withNull = build(type, nulled);
        assertThat(withNull)
            .as("%s with %s null", type.getSimpleName(), components[i].getName())
            .isNotEqualTo(record)
            .isEqualTo(build(type, nulled.clone()));
        assertThat(withNull.hashCode()).isEqualTo(build(type, nulled.clone()).hashCode());
      }
    }
  }

  private static Object build(Class<?> type, Object[] values) throws Exception {
    Class<?>[] types =
        Arrays.stream(type.getRecordComponents())
            .map(RecordComponent::getType)
            .toArray(Class<?>[]::new);
    Constructor<?> canonical = type.getDeclaredConstructor(types);
    canonical.setAccessible(true);
    return canonical.newInstance(values);
  }

  /** Two distinct sample values of a component's type: {@code which} 0 or 1. */
  private static Object value(Class<?> type, int which) throws Exception {
    if (type == int.class) return 3 + which;
    if (type == boolean.class) return which == 1;
    if (type == String.class) return List.of("app", "shop").get(which);
    if (type.isEnum()) return type.getEnumConstants()[which];
    if (type == ServerKey.class)
      return new ServerKey(List.of("db:5432", "replica:5432").get(which));
    if (type.isRecord()) {
      RecordComponent[] components = type.getRecordComponents();
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) values[i] = value(components[i].getType(), which);
      return build(type, values);
    }
    throw new IllegalArgumentException("no sample for " + type);
  }
}
