package io.pgconn.operator.rollout;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a pod template reads a Secret: env secretKeyRef, envFrom secretRef (of containers and
 * init containers), secret volumes and projected volume sources.
 */
public final class SecretReferences {

  private SecretReferences() {}

  public static boolean references(PodTemplateSpec template, String secretName) {
    if (template == null || template.getSpec() == null || secretName == null) return false;
    PodSpec spec = template.getSpec();
    List<Container> containers = new ArrayList<>();
    if (spec.getContainers() != null) containers.addAll(spec.getContainers());
    if (spec.getInitContainers() != null) containers.addAll(spec.getInitContainers());
    for (Container c : containers) {
      if (c.getEnv() != null) {
        for (EnvVar env : c.getEnv()) {
          if (env.getValueFrom() != null
              && env.getValueFrom().getSecretKeyRef() != null
              && secretName.equals(env.getValueFrom().getSecretKeyRef().getName())) {
            return true;
          }
        }
      }
      if (c.getEnvFrom() != null) {
        for (EnvFromSource from : c.getEnvFrom()) {
          if (from.getSecretRef() != null && secretName.equals(from.getSecretRef().getName())) {
            return true;
          }
        }
      }
    }
    if (spec.getVolumes() != null) {
      for (var volume : spec.getVolumes()) {
        if (volume.getSecret() != null && secretName.equals(volume.getSecret().getSecretName())) {
          return true;
        }
        if (volume.getProjected() != null && volume.getProjected().getSources() != null) {
          for (VolumeProjection source : volume.getProjected().getSources()) {
            if (source.getSecret() != null
                && Objects.equals(secretName, source.getSecret().getName())) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }
}
