package main

// Finding the chart a helm_release installs and rendering it with `helm template`.
//
// Sources, in order:
//   - a local chart the library writes itself: `chart` is a path (./assets/...) relative to the stack dir,
//     which is where Terraform runs and where the helm provider resolves it;
//   - the offline mirror (MLOPS_CHARTS_DIR): <dir>/<folder>/chart/Chart.yaml with the same name and version;
//   - otherwise `helm pull` from the release's repository (https or oci://), cached by name and version.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

type chartMeta struct {
	Name         string       `json:"name"`
	Version      string       `json:"version"`
	AppVersion   string       `json:"appVersion"`
	Dependencies []dependency `json:"dependencies"`
}

type dependency struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository"`
	Condition  string `json:"condition"`
	Alias      string `json:"alias"`
}

// placeholderCharts are charts whose source Chart.yaml carries a development version that the vendor's
// release pipeline overwrites with `helm package --version X --app-version X` (see charts/SOURCES.md).
// In the mirror they are matched by name and packaged the same way, so images that default to
// .Chart.AppVersion render with the released tag.
var placeholderCharts = map[string]bool{"gpu-operator": true}

type Renderer struct {
	Helm       string // helm binary
	ChartsDir  string // MLOPS_CHARTS_DIR, may be empty
	ChartCache string // where pulled charts are kept (online mode)
	Work       string // scratch dir for this run
	KubeVer    string
	Dump       string // optional: where to keep rendered manifests

	mirror   map[string][]mirrorChart // by chart name
	mu       sync.Mutex
	prepared map[string]*preparedChart // by name@version
}

type mirrorChart struct {
	Dir  string
	Meta chartMeta
}

// preparedChart is a chart ready for `helm template`, with what was done to it.
type preparedChart struct {
	once    sync.Once
	Ref     string       // directory or .tgz
	Dir     string       // unpacked directory (for crds/ folders), empty for a pulled .tgz
	Dropped []dependency // dependencies absent from the mirror, removed from a temporary copy
	Note    string
	Err     error
}

func (r *Renderer) loadMirror() error {
	r.mirror = map[string][]mirrorChart{}
	r.prepared = map[string]*preparedChart{}
	if r.ChartsDir == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(r.ChartsDir, "*", "chart", "Chart.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("MLOPS_CHARTS_DIR=%s has no */chart/Chart.yaml", r.ChartsDir)
	}
	for _, f := range files {
		m, err := readChartMeta(filepath.Dir(f))
		if err != nil {
			return err
		}
		r.mirror[m.Name] = append(r.mirror[m.Name], mirrorChart{Dir: filepath.Dir(f), Meta: m})
	}
	return nil
}

func readChartMeta(dir string) (chartMeta, error) {
	var m chartMeta
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return m, err
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%s/Chart.yaml: %w", dir, err)
	}
	return m, nil
}

// prepare returns the chart for a release; each name@version is prepared once per run.
func (r *Renderer) prepare(st *Stack, rel *Release) *preparedChart {
	if isLocalPath(rel.Chart) {
		dir := filepath.Join(st.Dir, rel.Chart)
		p := &preparedChart{Ref: dir, Dir: dir}
		if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err != nil {
			p.Err = fmt.Errorf("local chart %s not found in the stack dir", rel.Chart)
		}
		return p
	}
	key := rel.Repository + " " + rel.Chart + "@" + rel.Version
	r.mu.Lock()
	p, ok := r.prepared[key]
	if !ok {
		p = &preparedChart{}
		r.prepared[key] = p
	}
	r.mu.Unlock()
	p.once.Do(func() {
		if r.ChartsDir != "" {
			r.fromMirror(p, rel)
		} else {
			r.pull(p, rel)
		}
	})
	return p
}

func isLocalPath(chart string) bool {
	return strings.HasPrefix(chart, "./") || strings.HasPrefix(chart, "../") || strings.HasPrefix(chart, "/")
}

func (r *Renderer) fromMirror(p *preparedChart, rel *Release) {
	name := rel.Chart
	if strings.HasPrefix(name, "oci://") {
		name = filepath.Base(name)
	}
	var found *mirrorChart
	for i, c := range r.mirror[name] {
		if c.Meta.Version == rel.Version || (placeholderCharts[name] && found == nil) {
			found = &r.mirror[name][i]
		}
	}
	if found == nil {
		var have []string
		for _, c := range r.mirror[name] {
			have = append(have, c.Meta.Version)
		}
		p.Err = fmt.Errorf("chart %s %s is not in MLOPS_CHARTS_DIR (mirror has %v)", name, rel.Version, have)
		return
	}
	dir := found.Dir
	p.Dir = dir
	p.Ref = dir

	// Declared dependencies the mirror could not vendor (mlflow's bitnami postgresql): helm refuses to
	// render a chart with a dependency missing from charts/, so render a temporary copy without that entry
	// (and without Chart.lock, which would list it again). Whether the release enables it is checked
	// per release in missingEnabledDependency.
	missing := missingDependencies(dir, found.Meta)
	if len(missing) > 0 {
		tmp := filepath.Join(r.Work, "charts", name+"-"+rel.Version)
		if err := copyTree(dir, tmp); err != nil {
			p.Err = err
			return
		}
		if err := dropDependencies(tmp, missing); err != nil {
			p.Err = err
			return
		}
		p.Dropped = missing
		p.Dir, p.Ref = tmp, tmp
		var names []string
		for _, d := range missing {
			names = append(names, d.Name+" "+d.Version)
		}
		p.Note = "rendered without dependencies missing from the mirror: " + strings.Join(names, ", ")
	}

	if found.Meta.Version != rel.Version {
		// placeholder chart: package it as its vendor does, at the release's version
		out := filepath.Join(r.Work, "packaged", name+"-"+rel.Version)
		if err := os.MkdirAll(out, 0o755); err != nil {
			p.Err = err
			return
		}
		cmd := exec.Command(r.Helm, "package", p.Dir, "--version", rel.Version, "--app-version", rel.Version, "-d", out)
		if b, err := cmd.CombinedOutput(); err != nil {
			p.Err = fmt.Errorf("helm package %s: %v: %s", name, err, b)
			return
		}
		tgzs, _ := filepath.Glob(filepath.Join(out, "*.tgz"))
		if len(tgzs) != 1 {
			p.Err = fmt.Errorf("helm package %s produced %d archives", name, len(tgzs))
			return
		}
		p.Ref = tgzs[0]
		p.Note = strings.TrimPrefix(p.Note+"; ", "; ") + fmt.Sprintf("mirror Chart.yaml says %s, packaged as %s (vendor release step)", found.Meta.Version, rel.Version)
	}
}

// pull fetches a chart from its repository into the cache (online use, without a mirror).
func (r *Renderer) pull(p *preparedChart, rel *Release) {
	name := filepath.Base(rel.Chart)
	dest := filepath.Join(r.ChartCache, shortHash(rel.Repository+" "+rel.Chart), name+"-"+rel.Version)
	if tgzs, _ := filepath.Glob(filepath.Join(dest, "*.tgz")); len(tgzs) == 1 {
		p.Ref = tgzs[0]
		return
	}
	tmp := dest + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		p.Err = err
		return
	}
	args := []string{"pull", "--version", rel.Version, "--destination", tmp}
	switch {
	case strings.HasPrefix(rel.Chart, "oci://"):
		args = append(args, rel.Chart)
	case strings.HasPrefix(rel.Repository, "oci://"):
		args = append(args, strings.TrimSuffix(rel.Repository, "/")+"/"+rel.Chart)
	case rel.Repository != "":
		args = append(args, "--repo", rel.Repository, rel.Chart)
	default:
		p.Err = fmt.Errorf("chart %s has no repository and MLOPS_CHARTS_DIR is not set", rel.Chart)
		return
	}
	cmd := exec.Command(r.Helm, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		p.Err = fmt.Errorf("helm pull %s %s: %v: %s", rel.Chart, rel.Version, err, strings.TrimSpace(string(b)))
		return
	}
	_ = os.RemoveAll(dest)
	if err := os.Rename(tmp, dest); err != nil {
		p.Err = err
		return
	}
	tgzs, _ := filepath.Glob(filepath.Join(dest, "*.tgz"))
	if len(tgzs) != 1 {
		p.Err = fmt.Errorf("helm pull %s left %d archives", rel.Chart, len(tgzs))
		return
	}
	p.Ref = tgzs[0]
}

// missingDependencies lists Chart.yaml dependencies with no subchart under charts/ (by chart name,
// as helm matches them, unpacked or as a .tgz).
func missingDependencies(dir string, meta chartMeta) []dependency {
	present := map[string]bool{}
	entries, _ := os.ReadDir(filepath.Join(dir, "charts"))
	for _, e := range entries {
		sub := filepath.Join(dir, "charts", e.Name())
		if e.IsDir() {
			if m, err := readChartMeta(sub); err == nil {
				present[m.Name] = true
			}
		} else if strings.HasSuffix(e.Name(), ".tgz") {
			base := strings.TrimSuffix(e.Name(), ".tgz")
			if i := strings.LastIndex(base, "-"); i > 0 {
				present[base[:i]] = true
			}
		}
	}
	var missing []dependency
	for _, d := range meta.Dependencies {
		if !present[d.Name] && !strings.HasPrefix(d.Repository, "file://") {
			missing = append(missing, d)
		}
	}
	return missing
}

// dropDependencies removes the given entries from a chart copy's Chart.yaml and deletes Chart.lock.
// Chart.yaml is re-serialized: key order changes, content does not.
func dropDependencies(dir string, drop []dependency) error {
	path := filepath.Join(dir, "Chart.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return err
	}
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d.Name] = true
	}
	var keep []any
	deps, _ := doc["dependencies"].([]any)
	for _, d := range deps {
		if m, ok := d.(map[string]any); ok && gone[str(m["name"])] {
			continue
		}
		keep = append(keep, d)
	}
	doc["dependencies"] = keep
	out, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(dir, "Chart.lock"))
	return os.WriteFile(path, out, 0o644)
}

// missingEnabledDependency returns the first dropped dependency the release would enable, judged by its
// `condition` over the chart defaults overlaid with the release's values and sets. A dependency without a
// condition is always enabled.
func missingEnabledDependency(p *preparedChart, rel *Release) (string, error) {
	if len(p.Dropped) == 0 {
		return "", nil
	}
	merged := map[string]any{}
	if raw, err := os.ReadFile(filepath.Join(p.Dir, "values.yaml")); err == nil {
		_ = yaml.Unmarshal(raw, &merged)
	}
	for _, v := range rel.Values {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(v), &m); err != nil {
			return "", fmt.Errorf("release values are not valid YAML: %v", err)
		}
		mergeValues(merged, m)
	}
	for _, s := range rel.Sets {
		name, value, _ := strings.Cut(s.Value, "=")
		setPath(merged, strings.Split(name, "."), value)
	}
	for _, d := range p.Dropped {
		if d.Condition == "" {
			return d.Name, nil
		}
		// helm uses the first condition path that resolves to a boolean
		for _, c := range strings.Split(d.Condition, ",") {
			v, ok := lookupPath(merged, strings.Split(strings.TrimSpace(c), "."))
			if !ok {
				continue
			}
			if b, isBool := v.(bool); (isBool && b) || v == "true" {
				return d.Name, nil
			}
			break
		}
	}
	return "", nil
}

func mergeValues(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func setPath(m map[string]any, path []string, value string) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
}

func lookupPath(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// render runs `helm template` with exactly the release's name, namespace, values and sets.
func (r *Renderer) render(st *Stack, rel *Release, p *preparedChart) ([]byte, error) {
	dir := filepath.Join(r.Work, "values", st.Name, rel.Key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	args := []string{"template", rel.Name, p.Ref,
		"--namespace", rel.Namespace,
		"--kube-version", r.KubeVer,
		// CRDs are rendered so the custom resources of the same stack can be validated against them.
		"--include-crds",
		// The helm provider never runs `helm test`, so test hooks are not part of what gets installed.
		"--skip-tests",
	}
	for i, v := range rel.Values {
		f := filepath.Join(dir, fmt.Sprintf("values-%d.yaml", i))
		if err := os.WriteFile(f, []byte(v), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--values", f)
	}
	for _, s := range rel.Sets {
		args = append(args, s.Flag, s.Value)
	}
	cmd := exec.Command(r.Helm, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s", strings.ReplaceAll(msg, "\n", " | "))
	}
	return stdout.Bytes(), nil
}

// crdFiles returns the YAML files of every crds/ folder in an unpacked chart, subcharts included.
// --include-crds already emits those of enabled charts; reading the folders as well covers CRDs that
// a chart ships for a disabled subchart but whose resources another release of the stack creates.
func crdFiles(dir string) []string {
	if dir == "" {
		return nil
	}
	var out []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		// a file below <chart root>/crds/, where the chart root is the nearest parent holding Chart.yaml
		for p := filepath.Dir(path); strings.HasPrefix(p, dir); p = filepath.Dir(p) {
			if filepath.Base(p) == "crds" {
				if _, err := os.Stat(filepath.Join(filepath.Dir(p), "Chart.yaml")); err == nil {
					if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" || ext == ".json" {
						out = append(out, path)
					}
				}
				break
			}
			if p == dir {
				break
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path) // follows symlinks, so the copy is self-contained
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
