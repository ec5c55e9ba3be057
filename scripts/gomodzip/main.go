// Command gomodzip makes the module zip the Go module proxy would serve for the tlsm
// module and unpacks it, so that scripts/test-go.sh can build and test exactly those
// files, away from the rest of the repository. It applies golang.org/x/mod/zip, the
// rules of the go command: files of nested modules and vendored packages are left out,
// and so are symbolic links and other irregular files; names must be valid module paths
// and the sizes bounded.
//
//	git ls-files -z | go run . -root REPO -module PATH -version v0.0.0-test -out DIR
//
// The file list comes from git (the committed tree, as the proxy gets it from the
// repository), with the working-tree contents of those files. It prints what it left out
// and the number of files kept; DIR receives PATH@VERSION's files.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

type file struct{ root, rel string }

func (f file) Path() string                 { return f.rel }
func (f file) Lstat() (os.FileInfo, error)  { return os.Lstat(filepath.Join(f.root, f.rel)) }
func (f file) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.rel)) }

func main() {
	root := flag.String("root", ".", "repository root (the module's root directory)")
	path := flag.String("module", "", "module path")
	vers := flag.String("version", "v0.0.0-test", "module version")
	out := flag.String("out", "", "directory to unpack the zip into")
	flag.Parse()
	if *path == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: git ls-files -z | gomodzip -module PATH -out DIR [-root DIR] [-version V]")
		os.Exit(2)
	}
	list, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var files []zip.File
	for _, rel := range bytes.Split(list, []byte{0}) {
		if len(rel) > 0 {
			files = append(files, file{*root, string(rel)})
		}
	}
	checked, err := zip.CheckFiles(files)
	if err != nil {
		fail(err)
	}
	for _, o := range checked.Omitted {
		fmt.Printf("omitted %s (%v)\n", o.Path, o.Err)
	}
	if err := checked.Err(); err != nil {
		fail(err)
	}
	m := module.Version{Path: *path, Version: *vers}
	tmp, err := os.CreateTemp("", "gomodzip-*.zip")
	if err != nil {
		fail(err)
	}
	defer os.Remove(tmp.Name())
	if err := zip.Create(tmp, m, files); err != nil {
		fail(err)
	}
	if err := tmp.Close(); err != nil {
		fail(err)
	}
	if err := zip.Unzip(*out, m, tmp.Name()); err != nil {
		fail(err)
	}
	info, _ := os.Stat(tmp.Name())
	fmt.Printf("%s@%s: %d files, zip %d bytes, unpacked in %s\n", *path, *vers, len(checked.Valid), info.Size(), *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gomodzip:", strings.TrimSpace(err.Error()))
	os.Exit(1)
}
