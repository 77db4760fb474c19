// k8s-check renders every helm_release of every synthesized stack with `helm template` and checks the
// rendered objects the way the target cluster would admit them. It is the Helm stage of `npm run verify`.
//
// Usage: k8s-check -helm <helm binary> [-charts <mirror dir>] [-chart-cache <dir>] <cdktf.out dir>
//
// Output: one line per finding, then `helm: R releases rendered, V Pod Security violations, E schema
// errors, ...`. Exit status 1 when any finding is an error, 2 when the check itself could not run.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Rules, as printed in front of each finding.
const (
	RulePodSecurity    = "pod-security"
	RuleSchema         = "schema"
	RuleRender         = "render"
	RuleImage          = "image"
	RuleServiceAccount = "service-account"
	RuleNotChecked     = "not-checked" // counted, not an error
	RuleNote           = "note"        // an assumption taken, not an error
)

type Finding struct {
	Stack, Release, Object, Rule, Message string
	seq                                   int
}

func (f Finding) String() string {
	where := f.Stack
	if f.Release != "" {
		where += " release " + f.Release
	}
	if f.Object != "" {
		where += ": " + f.Object
	}
	return fmt.Sprintf("[%s] %s: %s", f.Rule, where, f.Message)
}

// Report collects findings from concurrent workers and prints them in a stable order.
type Report struct {
	mu       sync.Mutex
	findings []Finding
	seen     map[string]bool
	rendered int
	objects  int // rendered objects checked
	crds     int // custom resources validated against a CRD schema
}

func (r *Report) push(f Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if k := f.String(); !r.seen[k] { // an object rendered twice (CRD from template and crds/) counts once
		r.seen[k] = true
		f.seq = len(r.findings)
		r.findings = append(r.findings, f)
	}
}

func (r *Report) add(st *Stack, o *Object, rule, msg string) {
	rel := ""
	if o.Release != nil {
		rel = o.Release.Name
	}
	obj := o.String()
	if o.Source != "" {
		obj += " (" + o.Source + ")"
	}
	r.push(Finding{Stack: st.Name, Release: rel, Object: obj, Rule: rule, Message: msg})
}

func (r *Report) addRelease(st *Stack, rel *Release, rule, msg string) {
	r.push(Finding{Stack: st.Name, Release: rel.Name, Rule: rule, Message: msg})
}

func (r *Report) addStack(st *Stack, rule, msg string) {
	r.push(Finding{Stack: st.Name, Rule: rule, Message: msg})
}

func (r *Report) note(st *Stack, msg string) { r.addStack(st, RuleNote, msg) }

func (r *Report) count(rule string) int {
	n := 0
	for _, f := range r.findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

func main() {
	helm := flag.String("helm", "helm", "helm 3 binary")
	charts := flag.String("charts", os.Getenv("MLOPS_CHARTS_DIR"), "offline chart mirror (<dir>/<folder>/chart/Chart.yaml)")
	chartCache := flag.String("chart-cache", "", "where charts pulled from their repositories are kept")
	work := flag.String("work", "", "scratch directory (default: a new temp dir, removed at exit)")
	dump := flag.String("dump", "", "also write each release's rendered manifests to <dir>/<stack>/<release key>.yaml")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: k8s-check -helm <helm> [-charts <dir>] [-chart-cache <dir>] <cdktf.out dir>")
		os.Exit(2)
	}
	code, err := run(flag.Arg(0), *helm, *charts, *chartCache, *work, *dump)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm: error:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// releaseResult is what rendering one release produced.
type releaseResult struct {
	stack   *Stack
	release *Release
	chart   *preparedChart
	objects []*Object
	ok      bool
}

func run(outDir, helm, charts, chartCache, work, dump string) (int, error) {
	stacks, err := loadStacks(outDir)
	if err != nil {
		return 2, err
	}
	if work == "" {
		if work, err = os.MkdirTemp("", "k8s-check-"); err != nil {
			return 2, err
		}
		defer os.RemoveAll(work)
	}
	if chartCache == "" {
		chartCache = work + "/pulled"
	}
	renderer := &Renderer{Helm: helm, ChartsDir: charts, ChartCache: chartCache, Work: work, Dump: dump,
		KubeVer: fmt.Sprintf("%d.%d.0", targetMajor, targetMinor)}
	if err := renderer.loadMirror(); err != nil {
		return 2, err
	}
	report := &Report{}
	checker, err := newChecker(report)
	if err != nil {
		return 2, err
	}

	// Render every release of every stack, a few at a time (helm is single-threaded).
	var results []*releaseResult
	for _, st := range stacks {
		for _, rel := range st.Releases {
			results = append(results, &releaseResult{stack: st, release: rel})
		}
	}
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for _, res := range results {
		wg.Add(1)
		sem <- struct{}{}
		go func(res *releaseResult) {
			defer wg.Done()
			defer func() { <-sem }()
			renderOne(renderer, report, res)
		}(res)
	}
	wg.Wait()

	// Check stack by stack: CRDs and namespaces of one stack apply to all of its releases.
	for _, st := range stacks {
		checkStack(checker, report, st, results)
	}

	return printReport(report, stacks), nil
}

func renderOne(r *Renderer, report *Report, res *releaseResult) {
	st, rel := res.stack, res.release
	p := r.prepare(st, rel)
	res.chart = p
	if p.Err != nil {
		report.addRelease(st, rel, RuleRender, p.Err.Error())
		return
	}
	if name, err := missingEnabledDependency(p, rel); err != nil || name != "" {
		msg := fmt.Sprintf("dependency %s is missing from the chart mirror but the release enables it", name)
		if err != nil {
			msg = err.Error()
		}
		report.addRelease(st, rel, RuleRender, msg)
		return
	}
	out, err := r.render(st, rel, p)
	if err != nil {
		rule := RuleRender
		// The chart's values.schema.json rejected the release's values: a schema error.
		if strings.Contains(err.Error(), "values don't meet the specifications of the schema") {
			rule = RuleSchema
		}
		report.addRelease(st, rel, rule, "helm template failed: "+err.Error())
		return
	}
	if r.Dump != "" {
		dir := filepath.Join(r.Dump, st.Name)
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(dir, rel.Key+".yaml"), out, 0o644)
		}
	}
	objs, err := splitManifests(rel, out, "")
	if err != nil {
		report.addRelease(st, rel, RuleRender, "cannot parse rendered output: "+err.Error())
		return
	}
	res.objects, res.ok = objs, true
}

func checkStack(c *Checker, report *Report, st *Stack, results []*releaseResult) {
	var objects []*Object
	crds := newCRDIndex()
	for _, res := range results {
		if res.stack != st {
			continue
		}
		if res.chart != nil && res.chart.Note != "" {
			report.addRelease(st, res.release, RuleNote, res.chart.Note)
		}
		if !res.ok {
			continue
		}
		report.mu.Lock()
		report.rendered++
		report.mu.Unlock()
		objects = append(objects, res.objects...)
		// CRDs from the charts' crds/ folders (subcharts included), in case a template gates one off.
		if res.chart != nil && res.chart.Dir != "" && !isLocalPath(res.release.Chart) {
			for _, o := range readCRDFiles(crdFiles(res.chart.Dir)) {
				c.addCRD(crds, o)
			}
		}
	}
	// Rendered CRDs take precedence over crds/ files (they are what the release installs).
	renderedNamespaces := map[string]map[string]string{}
	serviceAccounts := stackServiceAccounts(st)
	for _, o := range objects {
		c.addCRD(crds, o)
		if o.GVK.Group == "" && o.GVK.Kind == "Namespace" {
			labels := map[string]string{}
			if meta, ok := o.Content["metadata"].(map[string]any); ok {
				if l, ok := meta["labels"].(map[string]any); ok {
					for k, v := range l {
						labels[k] = str(v)
					}
				}
			}
			renderedNamespaces[o.Name] = labels
		}
		if o.GVK.Group == "" && o.GVK.Kind == "ServiceAccount" {
			serviceAccounts[o.Namespace+"/"+o.Name] = true
		}
	}

	assumed := map[string]string{}
	report.objects += len(objects)
	for _, o := range objects {
		typed, builtin := c.decodeBuiltin(st, o)
		if !builtin {
			c.checkCustomResource(st, crds, o)
			continue
		}
		if typed == nil {
			continue
		}
		level, err := c.levelOf(st, renderedNamespaces, o.Namespace)
		if err != nil {
			report.add(st, o, RuleSchema, "namespace "+o.Namespace+" has an invalid Pod Security label: "+err.Error())
			continue
		}
		if c.checkPod(st, o, typed, level) && !strings.HasPrefix(level.origin, "kubernetes_namespace_v1") {
			assumed[o.Namespace] = level.origin
		}
	}
	for _, ns := range sortedKeys(assumed) {
		report.note(st, fmt.Sprintf("namespace %s: %s", ns, assumed[ns]))
	}
	// A release that did not render cannot show its service accounts: say so instead of blaming each binding.
	failed := 0
	for _, res := range results {
		if res.stack == st && !res.ok {
			failed++
		}
	}
	if failed > 0 {
		report.note(st, fmt.Sprintf("service-account check skipped: %d release(s) of this stack did not render", failed))
		return
	}
	c.checkBindings(st, serviceAccounts)
}

func printReport(r *Report, stacks []*Stack) int {
	sort.SliceStable(r.findings, func(i, j int) bool {
		a, b := r.findings[i], r.findings[j]
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		return a.seq < b.seq
	})
	for _, f := range r.findings {
		fmt.Println(f.String())
	}
	total := 0
	for _, st := range stacks {
		total += len(st.Releases)
	}
	v, e := r.count(RulePodSecurity), r.count(RuleSchema)
	img, sa, nc, rf := r.count(RuleImage), r.count(RuleServiceAccount), r.count(RuleNotChecked), r.count(RuleRender)
	line := fmt.Sprintf("helm: %d releases rendered, %d Pod Security violations, %d schema errors, %d image findings, %d service-account findings, %d custom resources not checked (%d objects checked, %d custom resources validated against their CRD)",
		r.rendered, v, e, img, sa, nc, r.objects, r.crds)
	if rf > 0 || r.rendered != total {
		line += fmt.Sprintf(", %d of %d releases failed to render", total-r.rendered, total)
	}
	fmt.Println(line)
	if v+e+img+sa+rf > 0 || r.rendered != total {
		return 1
	}
	return 0
}
