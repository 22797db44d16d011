{{/* Chart name, overridable. */}}
{{- define "pgconn-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name used for every object. */}}
{{- define "pgconn-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Selector labels: stable across upgrades. */}}
{{- define "pgconn-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pgconn-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Standard labels on every object. */}}
{{- define "pgconn-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "pgconn-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "pgconn-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pgconn-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* JAVA_TOOL_OPTIONS: the configured options, plus -XX:+ExitOnOutOfMemoryError unless they name it. */}}
{{- define "pgconn-operator.javaToolOptions" -}}
{{- $options := .Values.javaToolOptions | default "" }}
{{- if contains "ExitOnOutOfMemoryError" $options }}
{{- $options }}
{{- else }}
{{- printf "%s -XX:+ExitOnOutOfMemoryError" $options | trim }}
{{- end }}
{{- end }}

{{- define "pgconn-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
What the operator does with namespaced resources, granted cluster-wide (ClusterRole) or per
watched namespace (Role): exactly the requests its code makes, nothing more. Keep in step with
docs/install.md; HelmChartIT runs the operator under these rules through every code path and
checks from the API server's audit log that it was never refused and used every grant.
*/}}
{{- define "pgconn-operator.namespacedRules" -}}
# Reconciled resource: informer (list/watch); finalizer added and removed by patch (get re-reads
# a policy whose finalizer removal conflicted).
- apiGroups: ["pgconn.io"]
  resources: ["postgresconnectionpolicies"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["pgconn.io"]
  resources: ["postgresconnectionpolicies/status"]
  verbs: ["patch"]
# Secrets: the source read by name (name-scoped watches), the Secrets the operator owns watched
# by label; every write is a server-side apply patch (create: an apply that creates the target
# or the backup); delete: the in-place backup when its policy goes, and owner references on an
# existing Secret (OwnerReferencesPermissionEnforcement). Never update.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Workloads: read by name, by label selector and by discovery (no watch), restarted by applying a
# pod-template annotation. Never deleted or scaled.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "patch"]
# CronJobs and Jobs: discovered and reported (state NextRun), never modified.
- apiGroups: ["batch"]
  resources: ["cronjobs", "jobs"]
  verbs: ["get", "list"]
# HorizontalPodAutoscalers: pools are sized for a workload's HPA maximum.
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["list"]
# Events on the policy and on the workloads it restarts or holds (each one created once).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
