package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import org.junit.jupiter.api.Test;

class SecretReferencesTest {

  static PodTemplateSpecBuilder base() {
    return new PodTemplateSpecBuilder()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .endContainer()
        .endSpec();
  }

  @Test
  void findsEveryWayAPodReadsASecret() {
    PodTemplateSpec env =
        new PodTemplateSpecBuilder()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .addNewEnv()
            .withName("DATABASE_URL")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName("db")
            .withKey("DATABASE_URL")
            .endSecretKeyRef()
            .endValueFrom()
            .endEnv()
            .endContainer()
            .endSpec()
            .build();
    PodTemplateSpec envFrom =
        new PodTemplateSpecBuilder()
            .withNewSpec()
            .addNewInitContainer()
            .withName("migrate")
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName("db")
            .endSecretRef()
            .endEnvFrom()
            .endInitContainer()
            .endSpec()
            .build();
    PodTemplateSpec volume =
        base()
            .editSpec()
            .addNewVolume()
            .withName("v")
            .withNewSecret()
            .withSecretName("db")
            .endSecret()
            .endVolume()
            .endSpec()
            .build();
    PodTemplateSpec projected =
        base()
            .editSpec()
            .addNewVolume()
            .withName("v")
            .withNewProjected()
            .addNewSource()
            .withNewConfigMap()
            .withName("db")
            .endConfigMap()
            .endSource()
            .addNewSource()
            .withNewSecret()
            .withName("db")
            .endSecret()
            .endSource()
            .endProjected()
            .endVolume()
            .endSpec()
            .build();
    for (PodTemplateSpec t : new PodTemplateSpec[] {env, envFrom, volume, projected}) {
      assertThat(SecretReferences.references(t, "db")).isTrue();
      assertThat(SecretReferences.references(t, "other")).isFalse();
    }
  }

  @Test
  void aConfigMapOfTheSameNameIsNotTheSecret() {
    PodTemplateSpec configMap =
        base()
            .editSpec()
            .editFirstContainer()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("db")
            .endConfigMapRef()
            .endEnvFrom()
            .endContainer()
            .addNewVolume()
            .withName("v")
            .withNewConfigMap()
            .withName("db")
            .endConfigMap()
            .endVolume()
            .endSpec()
            .build();
    assertThat(SecretReferences.references(configMap, "db")).isFalse();
    assertThat(SecretReferences.references(null, "db")).isFalse();
  }
}
