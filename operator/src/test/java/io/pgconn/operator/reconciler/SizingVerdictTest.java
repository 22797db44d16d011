package io.pgconn.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizingVerdictTest {

  @Test
  void theServersNumbersDriftButTheTermsAndATargetPromisedDoNot() {
    String before =
        "1096 = 1100 max - 3 reserved - 0 reserve (largest of 999 policies) - 1 probe connection;"
            + " 1 pod, shared with 998 other policies, weight 1 of 999 -> 1 each";
    String after =
        "1095 = 1100 max - 3 reserved - 0 reserve (largest of 1000 policies) - 2 probe"
            + " connections; 1 pod, shared with 999 other policies, weight 1 of 1000 -> 1 each";
    assertThat(SizingVerdict.terms(after)).isEqualTo(SizingVerdict.terms(before));

    String waiting16 =
        "31 = 40 max; 1 pod -> 1 each (1 until peers have rolled: target 16, 0 free)";
    String waiting10 =
        "31 = 40 max; 1 pod -> 1 each (1 until peers have rolled: target 10, 2 free)";
    assertThat(SizingVerdict.terms(waiting10)).isNotEqualTo(SizingVerdict.terms(waiting16));
    assertThat(SizingVerdict.terms(before + " - 3 used by unlisted clients"))
        .isNotEqualTo(SizingVerdict.terms(before));
  }
}
