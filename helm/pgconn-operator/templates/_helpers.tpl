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

{{- define "pgconn-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
What the operator does with namespaced resources, granted cluster-wide (ClusterRole) or per
watched namespace (Role). Keep in step with docs/install.md; HelmChartIT checks it.
*/}}
{{- define "pgconn-operator.namespacedRules" -}}
# Reconciled resource: informer (list/watch), finalizer added/removed by patch/update.
- apiGroups: ["pgconn.io"]
  resources: ["postgresconnectionpolicies"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["pgconn.io"]
  resources: ["postgresconnectionpolicies/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["pgconn.io"]
  resources: ["postgresconnectionpolicies/finalizers"]
  verbs: ["update"]
# Source/target Secrets: watched (labelled and name-scoped informers), the target is applied
# server-side (create/patch), in-place mode updates the source, the backup Secret is deleted.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
# Workloads: discovered and read, restarted by patching a pod-template annotation.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "watch", "patch"]
# CronJobs and Jobs: discovered and reported (state NextRun), never modified.
- apiGroups: ["batch"]
  resources: ["cronjobs", "jobs"]
  verbs: ["get", "list"]
# Events on the policy and on the workloads it restarts or holds.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
