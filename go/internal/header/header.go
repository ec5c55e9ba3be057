// Package header reads the integer constants of tlsm.h, so that tests can hold the Go
// constants (written as literals, for go doc) to the C header they mirror.
package header

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
)

var constant = regexp.MustCompile(`(?m)(?:#define\s+(TLSM_\w+)\s+\(?(-?(?:0x[0-9a-fA-F]+|\d+))u?\)?\s*(?:/\*.*)?$)|(?:^\s*(TLSM_\w+)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*,?)`)

// Values returns every "#define TLSM_X value" and enum "TLSM_X = value" of the header at
// path whose value is a plain integer (negative, hexadecimal, parenthesized or with a u
// suffix allowed).
func Values(path string) (map[string]int64, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, m := range constant.FindAllStringSubmatch(string(src), -1) {
		name, val := m[1], m[2]
		if name == "" {
			name, val = m[3], m[4]
		}
		v, err := strconv.ParseInt(val, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%s = %s: %w", name, val, err)
		}
		out[name] = v
	}
	return out, nil
}
