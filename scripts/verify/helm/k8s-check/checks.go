package main

// Checks on rendered objects: strict decoding of built-in kinds, custom resources against their CRDs,
// Pod Security of every pod template, image tags, and the service accounts bound to AWS identities.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	psaadmission "k8s.io/pod-security-admission/admission"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// The cluster version the library targets. k8s.io/api, the strict decoder and the Pod Security policy
// code are all taken from the v0.35 line (go.mod), so they judge objects as a 1.35 API server would.
const targetMajor, targetMinor = 1, 35

// Object is one rendered manifest.
type Object struct {
	Release   *Release
	Source    string // "# Source:" path helm prints, or the crds/ file
	Raw       []byte // the YAML document
	Content   map[string]any
	GVK       schema.GroupVersionKind
	Namespace string // effective namespace (the release's when the manifest sets none)
	Name      string
}

func (o *Object) String() string {
	if o.Namespace == "" {
		return o.GVK.Kind + " " + o.Name
	}
	return o.GVK.Kind + " " + o.Namespace + "/" + o.Name
}

// clusterScoped are the built-in kinds without a namespace (for display and namespace assignment).
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true, "IngressClass": true,
	"RuntimeClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true, "APIService": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"FlowSchema": true, "PriorityLevelConfiguration": true, "CertificateSigningRequest": true,
	"DeviceClass": true, "ResourceSlice": true, "VolumeAttributesClass": true, "ClusterTrustBundle": true,
}

// groupsWithoutTypes are built-in API groups whose Go types are not in client-go's scheme; their
// objects are counted as not checked rather than mistaken for custom resources.
var groupsWithoutTypes = map[string]bool{"apiregistration.k8s.io": true}

// splitManifests turns helm template output (or a crds/ file) into objects; `kind: List` is expanded.
func splitManifests(rel *Release, data []byte, defaultSource string) ([]*Object, error) {
	var out []*Object
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		source := defaultSource
		for _, line := range strings.Split(string(doc), "\n") {
			if strings.HasPrefix(line, "# Source: ") {
				source = strings.TrimPrefix(line, "# Source: ")
				break
			}
		}
		var content map[string]any
		if err := yaml.Unmarshal(doc, &content); err != nil {
			return out, fmt.Errorf("%s: %v", source, err)
		}
		if len(content) == 0 {
			continue
		}
		if content["kind"] == "List" {
			items, _ := content["items"].([]any)
			for _, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					continue
				}
				b, _ := yaml.Marshal(m)
				out = append(out, newObject(rel, source, b, m))
			}
			continue
		}
		out = append(out, newObject(rel, source, doc, content))
	}
	return out, nil
}

func newObject(rel *Release, source string, raw []byte, content map[string]any) *Object {
	gv, _ := schema.ParseGroupVersion(str(content["apiVersion"]))
	o := &Object{Release: rel, Source: source, Raw: raw, Content: content, GVK: gv.WithKind(str(content["kind"]))}
	meta, _ := content["metadata"].(map[string]any)
	o.Name = str(meta["name"])
	o.Namespace = str(meta["namespace"])
	if o.Namespace == "" && rel != nil && !clusterScoped[o.GVK.Kind] {
		o.Namespace = rel.Namespace // helm installs namespaced objects without one into the release namespace
	}
	return o
}

// Checker holds the decoders and policy shared by every stack.
type Checker struct {
	scheme    *runtime.Scheme
	codec     runtime.Decoder
	builtin   map[string]bool // API groups the scheme knows
	evaluator policy.Evaluator
	report    *Report
}

func newChecker(report *Report) (*Checker, error) {
	sch := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(sch); err != nil {
		return nil, err
	}
	if err := apiextensionsv1.AddToScheme(sch); err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	for gvk := range sch.AllKnownTypes() {
		builtin[gvk.Group] = true
	}
	// Upstream policy checks, capped at the target minor: a namespace asking for "latest" gets the checks
	// a 1.35 API server applies.
	emulate := psaapi.MajorMinorVersion(targetMajor, targetMinor)
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), &emulate)
	if err != nil {
		return nil, err
	}
	return &Checker{
		scheme: sch,
		// Strict: unknown and duplicate fields are errors, as with `kubectl apply --validate=strict`.
		codec: k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, sch, sch,
			k8sjson.SerializerOptions{Yaml: true, Strict: true}),
		builtin:   builtin,
		evaluator: ev,
		report:    report,
	}, nil
}

// --- built-in kinds -----------------------------------------------------------------------------------------

// decodeBuiltin strictly decodes a built-in object. It returns the typed object (nil if it could not be
// decoded) and whether the object is of a built-in group at all.
func (c *Checker) decodeBuiltin(st *Stack, o *Object) (runtime.Object, bool) {
	if !c.builtin[o.GVK.Group] {
		return nil, false
	}
	if !c.scheme.Recognizes(o.GVK) {
		c.report.add(st, o, RuleSchema, fmt.Sprintf("%s %s is not a kind Kubernetes %d.%d serves", o.GVK.GroupVersion(), o.GVK.Kind, targetMajor, targetMinor))
		return nil, true
	}
	obj, _, err := c.codec.Decode(o.Raw, nil, nil)
	if strict, ok := runtime.AsStrictDecodingError(err); ok {
		for _, e := range strict.Errors() {
			c.report.add(st, o, RuleSchema, e.Error())
		}
	} else if err != nil {
		c.report.add(st, o, RuleSchema, err.Error())
		return nil, true
	}
	// k8s.io/api keeps the Go types of APIs the server no longer serves; their lifecycle says when.
	if life, ok := obj.(interface{ APILifecycleRemoved() (int, int) }); ok {
		if maj, min := life.APILifecycleRemoved(); maj > 0 && (maj < targetMajor || (maj == targetMajor && min <= targetMinor)) {
			c.report.add(st, o, RuleSchema, fmt.Sprintf("%s %s was removed in Kubernetes %d.%d", o.GVK.GroupVersion(), o.GVK.Kind, maj, min))
		}
	}
	return obj, true
}

// --- custom resources ---------------------------------------------------------------------------------------

// crdIndex holds the CRDs shipped by the charts of one stack, by group/kind.
type crdIndex struct {
	byGroupKind map[schema.GroupKind]*apiextensionsv1.CustomResourceDefinition
	validators  map[string]*crValidator // by group/kind/version
}

type crValidator struct {
	validator  validation.SchemaValidator
	structural *structuralschema.Structural
	err        error
}

func newCRDIndex() *crdIndex {
	return &crdIndex{byGroupKind: map[schema.GroupKind]*apiextensionsv1.CustomResourceDefinition{}, validators: map[string]*crValidator{}}
}

func (c *Checker) addCRD(idx *crdIndex, o *Object) {
	if o.GVK.Group != "apiextensions.k8s.io" || o.GVK.Kind != "CustomResourceDefinition" || o.GVK.Version != "v1" {
		return
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(o.Raw, crd); err != nil {
		return // reported by the strict decode of the CRD itself
	}
	idx.byGroupKind[schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}] = crd
}

// checkCustomResource validates a custom resource against its CRD's openAPIV3Schema the way the API server
// does: defaults applied, then the schema validation, then unknown fields (which the server would prune,
// and which strict field validation rejects).
func (c *Checker) checkCustomResource(st *Stack, idx *crdIndex, o *Object) {
	if groupsWithoutTypes[o.GVK.Group] {
		c.report.add(st, o, RuleNotChecked, "built-in group without Go types in this checker")
		return
	}
	crd := idx.byGroupKind[o.GVK.GroupKind()]
	if crd == nil {
		c.report.add(st, o, RuleNotChecked, fmt.Sprintf("no CRD for %s in this stack's charts", o.GVK.GroupKind()))
		return
	}
	if crd.Spec.Scope == apiextensionsv1.ClusterScoped {
		o.Namespace = ""
	}
	key := o.GVK.String()
	v, ok := idx.validators[key]
	if !ok {
		v = c.validatorFor(crd, o.GVK.Version)
		idx.validators[key] = v
	}
	if v.err != nil {
		c.report.add(st, o, RuleSchema, v.err.Error())
		return
	}
	if v.validator == nil {
		c.report.add(st, o, RuleNotChecked, fmt.Sprintf("CRD %s version %s has no openAPIV3Schema", crd.Name, o.GVK.Version))
		return
	}
	c.report.crds++ // single-threaded: stacks are checked one after another
	var content map[string]any
	_ = yaml.Unmarshal(o.Raw, &content) // a fresh copy: defaulting and pruning mutate it
	defaulting.Default(content, v.structural)
	for _, e := range validation.ValidateCustomResource(nil, content, v.validator) {
		c.report.add(st, o, RuleSchema, e.Error())
	}
	unknown := pruning.PruneWithOptions(content, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range unknown {
		c.report.add(st, o, RuleSchema, fmt.Sprintf("unknown field %q (not in CRD %s schema)", path, crd.Name))
	}
}

func (c *Checker) validatorFor(crd *apiextensionsv1.CustomResourceDefinition, version string) *crValidator {
	for _, ver := range crd.Spec.Versions {
		if ver.Name != version {
			continue
		}
		if !ver.Served {
			return &crValidator{err: fmt.Errorf("CRD %s does not serve version %s", crd.Name, version)}
		}
		if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
			return &crValidator{}
		}
		internal := &apiextensions.JSONSchemaProps{}
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(ver.Schema.OpenAPIV3Schema, internal, nil); err != nil {
			return &crValidator{err: fmt.Errorf("CRD %s: %v", crd.Name, err)}
		}
		validator, _, err := validation.NewSchemaValidator(internal)
		if err != nil {
			return &crValidator{err: fmt.Errorf("CRD %s schema: %v", crd.Name, err)}
		}
		structural, err := structuralschema.NewStructural(internal)
		if err != nil {
			return &crValidator{err: fmt.Errorf("CRD %s schema is not structural: %v", crd.Name, err)}
		}
		return &crValidator{validator: validator, structural: structural}
	}
	return &crValidator{err: fmt.Errorf("CRD %s has no version %s", crd.Name, version)}
}

// --- pod templates ------------------------------------------------------------------------------------------

// namespaceLevel is what the Pod Security admission of the namespace enforces.
type namespaceLevel struct {
	lv     psaapi.LevelVersion
	origin string
}

func (c *Checker) levelOf(st *Stack, rendered map[string]map[string]string, ns string) (namespaceLevel, error) {
	labels, origin := st.NamespaceLabels[ns], "kubernetes_namespace_v1 in the stack"
	if labels == nil {
		labels, origin = rendered[ns], "Namespace rendered by a chart"
	}
	if labels == nil {
		// Not created by the stack (kube-system, or a namespace of an existing cluster): EKS configures no
		// cluster-wide Pod Security default, so an unlabeled namespace admits everything.
		return namespaceLevel{psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
			"not created by the stack: assumed privileged (no enforce label, EKS default)"}, nil
	}
	level, err := psaapi.ParseLevel(orDefault(labels[psaapi.EnforceLevelLabel], "privileged"))
	if err != nil {
		return namespaceLevel{}, err
	}
	version, err := psaapi.ParseVersion(orDefault(labels[psaapi.EnforceVersionLabel], "latest"))
	if err != nil {
		return namespaceLevel{}, err
	}
	return namespaceLevel{psaapi.LevelVersion{Level: level, Version: version}, origin}, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// checkPod applies Pod Security and the image rule to a decoded object that carries a pod template.
func (c *Checker) checkPod(st *Stack, o *Object, obj runtime.Object, level namespaceLevel) bool {
	meta, spec, err := psaadmission.DefaultPodSpecExtractor{}.ExtractPodSpec(obj)
	if err != nil {
		return false // not a kind with a pod template
	}
	for _, res := range c.evaluator.EvaluatePod(level.lv, meta, spec) {
		if res.Allowed {
			continue
		}
		msg := res.ForbiddenReason
		if res.ForbiddenDetail != "" {
			msg += " (" + res.ForbiddenDetail + ")"
		}
		c.report.add(st, o, RulePodSecurity, fmt.Sprintf("violates PodSecurity %q: %s", level.lv.String(), msg))
	}
	forEachContainer(spec, func(kind, name, image string) {
		if problem := imageProblem(image); problem != "" {
			c.report.add(st, o, RuleImage, fmt.Sprintf("%s %q image %q %s", kind, name, image, problem))
		}
	})
	return true
}

func forEachContainer(spec *corev1.PodSpec, fn func(kind, name, image string)) {
	for _, ct := range spec.InitContainers {
		fn("initContainer", ct.Name, ct.Image)
	}
	for _, ct := range spec.Containers {
		fn("container", ct.Name, ct.Image)
	}
	for _, ct := range spec.EphemeralContainers {
		fn("ephemeralContainer", ct.Name, ct.Image)
	}
}

// imageProblem says why an image reference is not pinned: no tag (which pulls latest) or the latest tag.
// A digest pins the image whatever the tag says.
func imageProblem(image string) string {
	if image == "" {
		return "is empty"
	}
	if strings.Contains(image, "@") {
		return ""
	}
	lastSlash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= lastSlash { // a colon before the last slash is a registry port
		return "has no tag (pulls latest)"
	}
	if image[colon+1:] == "latest" {
		return "uses the latest tag"
	}
	return ""
}

// --- service accounts ---------------------------------------------------------------------------------------

func (c *Checker) checkBindings(st *Stack, serviceAccounts map[string]bool) {
	for _, b := range st.Bindings {
		id := b.Namespace + "/" + b.ServiceAccount
		if serviceAccounts[id] {
			continue
		}
		if addon, ok := st.AddonServiceAccounts[id]; ok {
			c.report.note(st, fmt.Sprintf("service account %s (%s) is created by the EKS add-on %s, not by a Helm release", id, b.Key, addon))
			continue
		}
		c.report.addStack(st, RuleServiceAccount, fmt.Sprintf("%s binds ServiceAccount %s to an AWS identity, but no release renders it and the stack does not create it", b.Key, id))
	}
}

// stackServiceAccounts are service accounts the stack creates with the kubernetes provider.
func stackServiceAccounts(st *Stack) map[string]bool {
	out := map[string]bool{}
	for _, typ := range []string{"kubernetes_service_account_v1", "kubernetes_service_account"} {
		for _, r := range sortedResources(st.Resources[typ]) {
			meta := firstObject(r.value["metadata"])
			ns := st.resolve(str(meta["namespace"]))
			if ns == "" {
				ns = "default"
			}
			out[ns+"/"+st.resolve(str(meta["name"]))] = true
		}
	}
	return out
}

// --- helpers ------------------------------------------------------------------------------------------------

func readCRDFiles(files []string) []*Object {
	var out []*Object
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		objs, _ := splitManifests(nil, raw, f)
		out = append(out, objs...)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
