{{- define "statusync.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "statusync.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one app; call with (dict "root" $ "app" "sync-worker"). */}}
{{- define "statusync.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .app }}
{{- end -}}

{{- define "statusync.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "statusync.fullname" .)) -}}
{{- end -}}

{{- define "statusync.dbUrl" -}}
{{- $pg := .root.Values.postgres -}}
{{- /* urlquery writes a space as "+", which URL user info does not decode: use %20 (a real "+" is %2B). */ -}}
{{- $url := printf "postgres://%s:%s@%s:%d/%s" (.user | urlquery | replace "+" "%20") (.password | urlquery | replace "+" "%20") $pg.host (int $pg.port) $pg.database -}}
{{- if $pg.options }}{{ printf "%s?%s" $url $pg.options }}{{ else }}{{ $url }}{{ end -}}
{{- end -}}

{{/* Environment every container gets: plain settings, then the secrets by reference. */}}
{{- define "statusync.env" -}}
- name: NODE_ENV
  value: production
- name: DATABASE_ROLE
  value: statusync_app
- name: QUEUE_PREFIX
  value: {{ .Values.redis.queuePrefix | quote }}
{{- range $name, $value := .Values.env }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- $secret := include "statusync.secretName" . }}
{{- range $variable, $key := dict "DATABASE_URL" "database-url" "REDIS_URL" "redis-url" "JWT_SECRET" "jwt-secret" "JWT_JWKS_URL" "jwt-jwks-url" "TOKEN_ENCRYPTION_KEYS" "token-encryption-keys" "BULL_BOARD_PASSWORD" "bull-board-password" "METRICS_TOKEN" "metrics-token" "GITHUB_OAUTH_CLIENT_SECRET" "github-oauth-client-secret" "SLACK_OAUTH_CLIENT_SECRET" "slack-oauth-client-secret" "GOOGLE_CLIENT_SECRET" "google-client-secret" "MICROSOFT_CLIENT_SECRET" "microsoft-client-secret" }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end -}}
