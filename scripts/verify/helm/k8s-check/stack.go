package main

// Reading a synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json): its helm_release resources, the
// namespaces it creates with their Pod Security labels, and the service accounts it binds to AWS identities.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Stack is one synthesized Terraform stack.
type Stack struct {
	Name string
	Dir  string
	// Resources is resource type -> resource key -> configuration, as synthesized.
	Resources map[string]map[string]map[string]any
	Region    string

	Releases []*Release
	// NamespaceLabels holds the labels of every namespace the stack creates (kubernetes_namespace[_v1]).
	NamespaceLabels map[string]map[string]string
	// Bindings are the (namespace, service account) pairs bound to an AWS identity.
	Bindings []Binding
	// AddonServiceAccounts are service accounts created by EKS managed add-ons the stack installs.
	AddonServiceAccounts map[string]string // "namespace/name" -> add-on name
}

// Release is one helm_release, with every Terraform interpolation already replaced (see placeholder).
type Release struct {
	Key        string // resource key in cdk.tf.json, e.g. Platform_Tracking_Release_CBDB99CF
	Name       string
	Namespace  string
	Chart      string
	Repository string
	Version    string
	Values     []string // each a YAML/JSON document, in order
	Sets       []SetArg // --set / --set-string arguments, in the provider's order
}

// SetArg is one `set`, `set_list` or `set_sensitive` entry turned into a helm flag.
type SetArg struct {
	Flag  string // --set or --set-string
	Value string // name=value
}

// Binding is an aws_eks_pod_identity_association.
type Binding struct {
	Key, Namespace, ServiceAccount string
}

// knownAddonServiceAccounts lists the service accounts that EKS managed add-ons create themselves, so a
// pod identity association for them is satisfied by the aws_eks_addon resource rather than by a Helm release.
// Only add-ons the library installs are listed; the names are the ones AWS documents for each add-on.
var knownAddonServiceAccounts = map[string][]string{
	"aws-ebs-csi-driver":              {"kube-system/ebs-csi-controller-sa"},
	"aws-efs-csi-driver":              {"kube-system/efs-csi-controller-sa"},
	"vpc-cni":                         {"kube-system/aws-node"},
	"amazon-cloudwatch-observability": {"amazon-cloudwatch/cloudwatch-agent"},
}

func loadStacks(outDir string) ([]*Stack, error) {
	files, err := filepath.Glob(filepath.Join(outDir, "stacks", "*", "cdk.tf.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no stacks/*/cdk.tf.json under %s (run `npm run synth` first)", outDir)
	}
	sort.Strings(files)
	var stacks []*Stack
	for _, f := range files {
		s, err := loadStack(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		stacks = append(stacks, s)
	}
	return stacks, nil
}

func loadStack(file string) (*Stack, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Resource map[string]map[string]map[string]any `json:"resource"`
		Provider map[string][]map[string]any          `json:"provider"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	s := &Stack{
		Name:                 filepath.Base(filepath.Dir(file)),
		Dir:                  filepath.Dir(file),
		Resources:            doc.Resource,
		Region:               "us-east-1",
		NamespaceLabels:      map[string]map[string]string{},
		AddonServiceAccounts: map[string]string{},
	}
	// Placeholders use the stack's own region when the AWS provider names it literally.
	if aws := doc.Provider["aws"]; len(aws) > 0 {
		if r, ok := aws[0]["region"].(string); ok && !strings.Contains(r, "${") {
			s.Region = r
		}
	}

	for _, typ := range []string{"kubernetes_namespace_v1", "kubernetes_namespace"} {
		for _, cfg := range sortedResources(doc.Resource[typ]) {
			meta := firstObject(cfg.value["metadata"])
			name := s.resolve(str(meta["name"]))
			labels := map[string]string{}
			if l, ok := meta["labels"].(map[string]any); ok {
				for k, v := range l {
					labels[k] = s.resolve(str(v))
				}
			}
			s.NamespaceLabels[name] = labels
		}
	}

	for _, cfg := range sortedResources(doc.Resource["aws_eks_pod_identity_association"]) {
		s.Bindings = append(s.Bindings, Binding{
			Key:            "aws_eks_pod_identity_association." + cfg.key,
			Namespace:      s.resolve(str(cfg.value["namespace"])),
			ServiceAccount: s.resolve(str(cfg.value["service_account"])),
		})
	}
	for _, cfg := range sortedResources(doc.Resource["aws_eks_addon"]) {
		addon := str(cfg.value["addon_name"])
		for _, sa := range knownAddonServiceAccounts[addon] {
			s.AddonServiceAccounts[sa] = addon
		}
	}

	for _, cfg := range sortedResources(doc.Resource["helm_release"]) {
		s.Releases = append(s.Releases, s.release(cfg.key, cfg.value))
	}
	return s, nil
}

func (s *Stack) release(key string, cfg map[string]any) *Release {
	r := &Release{
		Key:        key,
		Name:       s.resolve(str(cfg["name"])),
		Namespace:  s.resolve(str(cfg["namespace"])),
		Chart:      s.resolve(str(cfg["chart"])),
		Repository: s.resolve(str(cfg["repository"])),
		Version:    s.resolve(str(cfg["version"])),
	}
	if r.Namespace == "" {
		r.Namespace = "default" // the helm provider's default
	}
	if vals, ok := cfg["values"].([]any); ok {
		for _, v := range vals {
			r.Values = append(r.Values, s.resolve(str(v)))
		}
	}
	// The provider applies set, set_list and set_sensitive with helm's strvals parser, which is what
	// --set (type "auto") and --set-string (type "string") do.
	for _, attr := range []string{"set", "set_list", "set_sensitive"} {
		for _, e := range listOfObjects(cfg[attr]) {
			name := s.resolve(str(e["name"]))
			flag := "--set"
			if str(e["type"]) == "string" {
				flag = "--set-string"
			}
			var value string
			if list, ok := e["value"].([]any); ok { // set_list
				parts := make([]string, len(list))
				for i, v := range list {
					parts[i] = s.resolve(str(v))
				}
				value = "{" + strings.Join(parts, ",") + "}"
			} else {
				value = s.resolve(str(e["value"]))
			}
			r.Sets = append(r.Sets, SetArg{Flag: flag, Value: name + "=" + value})
		}
	}
	return r
}

// --- Terraform interpolations -> deterministic placeholders -------------------------------------------------
//
// Release values reference attributes that only exist after `terraform apply` (an RDS endpoint, a bucket
// name chosen by AWS, an ARN). helm template needs concrete strings, and the findings must not change from
// run to run, so every `${...}` is replaced by a value that is
//   - the literal from the stack itself when the referenced attribute is set to a literal in cdk.tf.json
//     (a namespace's metadata.name, a bucket name given in config), so names that matter stay real;
//   - otherwise a placeholder with the shape of the real value (hostname, ARN, account id, region, URL,
//     port, DNS-label name), derived only from the reference text, so it is deterministic and passes the
//     format checks charts and schemas apply (e.g. a hostname pattern or an ARN prefix).
// `$${` is Terraform's escape for a literal `${` and is kept as text.

var traversal = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+|\[[0-9]+\])*$`)

// resolve replaces every interpolation in a string.
func (s *Stack) resolve(in string) string {
	if !strings.Contains(in, "${") {
		return in
	}
	var out strings.Builder
	for i := 0; i < len(in); {
		if strings.HasPrefix(in[i:], "$${") {
			out.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(in[i:], "${") {
			out.WriteByte(in[i])
			i++
			continue
		}
		end := matchingBrace(in, i+2)
		if end < 0 { // unterminated: leave the rest as it is
			out.WriteString(in[i:])
			break
		}
		out.WriteString(s.placeholder(strings.TrimSpace(in[i+2 : end])))
		i = end + 1
	}
	return out.String()
}

// matchingBrace returns the index of the `}` closing an interpolation whose body starts at from,
// skipping nested braces and quoted strings (e.g. ${jsonencode({a = "}"})}).
func matchingBrace(s string, from int) int {
	depth, inQuote := 0, false
	for i := from; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

func (s *Stack) placeholder(expr string) string {
	if !traversal.MatchString(expr) {
		// A function call or conditional: no shape to imitate, but still deterministic.
		return "placeholder-" + shortHash(expr)
	}
	parts := splitTraversal(expr)
	var typ, name string
	var attrs []string
	switch {
	case parts[0] == "data" && len(parts) >= 3:
		typ, name, attrs = parts[1], parts[2], parts[3:]
	case len(parts) >= 2:
		typ, name, attrs = parts[0], parts[1], parts[2:]
	default:
		return "placeholder-" + shortHash(expr)
	}
	if parts[0] != "data" {
		if lit, ok := literalAt(s.Resources[typ][name], attrs); ok {
			return lit
		}
	}
	attr := ""
	if len(attrs) > 0 {
		attr = strings.ToLower(attrs[len(attrs)-1])
	}
	slug := dnsLabel("ph-" + name)
	host := slug + ".placeholder.invalid"
	switch {
	case attr == "partition":
		return "aws"
	case attr == "region" || (typ == "aws_region" && (attr == "name" || attr == "id")):
		return s.Region
	case attr == "account_id":
		return "123456789012"
	case attr == "dns_suffix":
		return "amazonaws.com"
	case attr == "arn" || strings.HasSuffix(attr, "_arn"):
		return s.arn(typ, attr, slug)
	case attr == "address" || attr == "endpoint" || attr == "hostname" || attr == "fqdn" ||
		strings.HasSuffix(attr, "_endpoint") || strings.HasSuffix(attr, "dns_name"):
		return host
	case attr == "url" || strings.HasSuffix(attr, "_url"):
		return "https://" + host
	case attr == "port":
		if strings.HasPrefix(typ, "aws_db_") || strings.HasPrefix(typ, "aws_rds_") {
			return "5432"
		}
		return "443"
	}
	return slug
}

// arn builds an ARN of the right service for the common resource types the library references.
func (s *Stack) arn(typ, attr, slug string) string {
	const acct = "123456789012"
	switch {
	case strings.Contains(attr, "secret"), typ == "aws_secretsmanager_secret":
		return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf", s.Region, acct, slug)
	case typ == "aws_kms_key":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.Region, acct, uuidLike(slug))
	case typ == "aws_iam_role":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, slug)
	case typ == "aws_iam_policy":
		return fmt.Sprintf("arn:aws:iam::%s:policy/%s", acct, slug)
	case typ == "aws_s3_bucket":
		return "arn:aws:s3:::" + slug
	case typ == "aws_sns_topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.Region, acct, slug)
	case typ == "aws_sqs_queue":
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.Region, acct, slug)
	case typ == "aws_eks_cluster":
		return fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", s.Region, acct, slug)
	case typ == "aws_ecr_repository":
		return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", s.Region, acct, slug)
	}
	service := strings.SplitN(strings.TrimPrefix(typ, "aws_"), "_", 2)[0]
	return fmt.Sprintf("arn:aws:%s:%s:%s:placeholder/%s", service, s.Region, acct, slug)
}

// literalAt follows attrs into a resource's configuration and returns the value when it is a literal.
// Terraform's list index on a nested block (metadata[0]) is accepted on the object cdktf writes.
func literalAt(cfg map[string]any, attrs []string) (string, bool) {
	var cur any = cfg
	for _, a := range attrs {
		if idx, err := strconv.Atoi(a); err == nil {
			if l, ok := cur.([]any); ok && idx < len(l) {
				cur = l[idx]
			}
			continue // an object written for a single-item block: [0] is the object itself
		}
		if l, ok := cur.([]any); ok && len(l) == 1 {
			cur = l[0]
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur = m[a]
	}
	switch v := cur.(type) {
	case string:
		if v != "" && !strings.Contains(v, "${") {
			return v, true
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func splitTraversal(expr string) []string {
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(expr, "[", ".["), ".") {
		parts = append(parts, strings.Trim(p, "[]"))
	}
	return parts
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsLabel lowercases a Terraform name into a valid DNS label (and a valid bucket name).
func dnsLabel(name string) string {
	l := notLabel.ReplaceAllString(strings.ToLower(strings.ReplaceAll(name, "_", "-")), "-")
	if len(l) > 63 {
		l = l[:54] + "-" + shortHash(name)
	}
	return strings.Trim(l, "-")
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:4])
}

func uuidLike(s string) string {
	h := sha256.Sum256([]byte(s))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// --- small JSON helpers -------------------------------------------------------------------------------------

type keyed struct {
	key   string
	value map[string]any
}

func sortedResources(m map[string]map[string]any) []keyed {
	out := make([]keyed, 0, len(m))
	for k, v := range m {
		out = append(out, keyed{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// firstObject accepts a nested block written either as an object or as a one-item list.
func firstObject(v any) map[string]any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	m, _ := v.(map[string]any)
	return m
}

func listOfObjects(v any) []map[string]any {
	if m, ok := v.(map[string]any); ok {
		return []map[string]any{m}
	}
	var out []map[string]any
	if l, ok := v.([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}
