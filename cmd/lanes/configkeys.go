package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

// The TOML loader of urfave/cli fills the flags it knows and ignores every
// other key, so a misspelt key in a config file would silently leave its
// flag at the default. checkConfigKeys rejects such a file instead, as
// go-ethereum rejects unknown fields in its own config file.

// maxConfigSize bounds the config file read for the key check; a config of
// flags is a few kilobytes.
const maxConfigSize = 1 << 20

// maxReportedKeys is how many unknown keys an error names.
const maxReportedKeys = 10

// maxSuggestedKey is the longest key for which a near flag name is looked
// for: flag names are short, and the search is quadratic in the length.
const maxSuggestedKey = 64

// checkConfigKeys reports an error naming every key the TOML file at path
// sets that is not one of flags, the flags a config file can set.
func checkConfigKeys(path string, flags []cli.Flag) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if info.Size() > maxConfigSize {
		return fmt.Errorf("config file %s: %d bytes, more than the %d a config file may hold", path, info.Size(), maxConfigSize)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	keys, err := configKeys(string(doc))
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	known := make(map[string]bool)
	var names []string
	for _, f := range flags {
		if _, ok := f.(altsrc.FlagInputSourceExtension); !ok {
			continue
		}
		for _, name := range f.Names() {
			known[name] = true
			names = append(names, name)
		}
	}
	var (
		problems []string
		unknown  int
	)
	for _, key := range keys {
		if known[key] {
			continue
		}
		if unknown++; unknown > maxReportedKeys {
			continue
		}
		msg := fmt.Sprintf("unknown key %q", key)
		if near := closest(key, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		problems = append(problems, msg)
	}
	if unknown > maxReportedKeys {
		problems = append(problems, fmt.Sprintf("and %d more", unknown-maxReportedKeys))
	}
	if len(problems) > 0 {
		return fmt.Errorf("config file %s: %s; keys are flag names, see --help", path, strings.Join(problems, ", "))
	}
	return nil
}

// closest returns the name nearest to key in edit distance, when it is
// near enough to be a likely misspelling, or "".
func closest(key string, names []string) string {
	if len(key) > maxSuggestedKey {
		return ""
	}
	sort.Strings(names)
	best, bestDist := "", len(key)/3+1
	for _, name := range names {
		if d := editDistance(key, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// errConfigSyntax is wrapped by configKeys for a document it cannot read.
var errConfigSyntax = errors.New("cannot read TOML")

// configKeys returns the dotted name of every value a TOML document sets:
// a key under the table header [a.b] is a.b.key, and the keys of an inline
// table are prefixed with the table's key. Values themselves are skipped.
// Arrays of tables ([[a]]) name no flag and are rejected. A leading byte
// order mark is skipped, as the loader skips it.
func configKeys(doc string) ([]string, error) {
	s := &tomlScanner{src: skipByteOrderMark(doc)}
	var (
		keys  []string
		table []string
	)
	for {
		s.skipSpaceAndComments(true)
		if s.done() {
			return keys, nil
		}
		line := s.line
		switch {
		case strings.HasPrefix(s.src[s.pos:], "[["):
			return nil, fmt.Errorf("%w: line %d: arrays of tables name no flag", errConfigSyntax, line)
		case s.peek() == '[':
			s.pos++
			name, err := s.key()
			if err != nil {
				return nil, err
			}
			s.skipSpaceAndComments(false)
			if s.peek() != ']' {
				return nil, fmt.Errorf("%w: line %d: table header not closed", errConfigSyntax, line)
			}
			s.pos++
			table = name
		default:
			found, err := s.keyValue(table)
			if err != nil {
				return nil, err
			}
			keys = append(keys, found...)
		}
		s.skipSpaceAndComments(false)
		if !s.done() && s.peek() != '\n' {
			return nil, fmt.Errorf("%w: line %d: unexpected %q", errConfigSyntax, s.line, s.peek())
		}
	}
}

// skipByteOrderMark drops a leading UTF-8 byte order mark, or the two bytes
// of a UTF-16 one, as the loader's TOML parser does.
func skipByteOrderMark(doc string) string {
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if rest, ok := strings.CutPrefix(doc, bom); ok {
			return rest
		}
	}
	return doc
}

// tomlScanner reads a TOML document for its keys.
type tomlScanner struct {
	src  string
	pos  int
	line int
}

func (s *tomlScanner) done() bool { return s.pos >= len(s.src) }

func (s *tomlScanner) peek() byte {
	if s.done() {
		return 0
	}
	return s.src[s.pos]
}

// skipSpaceAndComments skips blanks and comments, and newlines too when
// newlines is set.
func (s *tomlScanner) skipSpaceAndComments(newlines bool) {
	if s.line == 0 {
		s.line = 1
	}
	for !s.done() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.pos++
		case c == '\n' && newlines:
			s.pos++
			s.line++
		case c == '#':
			for !s.done() && s.peek() != '\n' {
				s.pos++
			}
		default:
			return
		}
	}
}

// key reads a dotted key of bare and quoted parts.
func (s *tomlScanner) key() ([]string, error) {
	var parts []string
	for {
		s.skipSpaceAndComments(false)
		var part string
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			str, err := s.str()
			if err != nil {
				return nil, err
			}
			part = str
			if strings.Contains(part, ".") {
				// One key with a dot in its name, not a table and a key:
				// the loader looks flags up by their dotted path, so it
				// never matches one. Quoted, it cannot match here either.
				part = `"` + part + `"`
			}
		default:
			start := s.pos
			for !s.done() && isBareKeyChar(s.peek()) {
				s.pos++
			}
			if s.pos == start {
				return nil, fmt.Errorf("%w: line %d: expected a key", errConfigSyntax, s.line)
			}
			part = s.src[start:s.pos]
		}
		parts = append(parts, part)
		s.skipSpaceAndComments(false)
		if s.peek() != '.' {
			return parts, nil
		}
		s.pos++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// keyValue reads `key = value` under the table prefix and returns the keys
// it sets: the key itself, or the keys of an inline table value.
func (s *tomlScanner) keyValue(prefix []string) ([]string, error) {
	k, err := s.key()
	if err != nil {
		return nil, err
	}
	if s.peek() != '=' {
		return nil, fmt.Errorf("%w: line %d: expected '=' after %s", errConfigSyntax, s.line, strings.Join(k, "."))
	}
	s.pos++
	s.skipSpaceAndComments(false)
	full := append(append([]string(nil), prefix...), k...)
	if s.peek() == '{' {
		return s.inlineTable(full)
	}
	if err := s.skipValue(); err != nil {
		return nil, err
	}
	return []string{strings.Join(full, ".")}, nil
}

// inlineTable reads `{ k = v, ... }` and returns its keys under prefix.
func (s *tomlScanner) inlineTable(prefix []string) ([]string, error) {
	s.pos++ // {
	var keys []string
	for {
		s.skipSpaceAndComments(false)
		if s.peek() == '}' {
			s.pos++
			return keys, nil
		}
		found, err := s.keyValue(prefix)
		if err != nil {
			return nil, err
		}
		keys = append(keys, found...)
		s.skipSpaceAndComments(false)
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
		default:
			return nil, fmt.Errorf("%w: line %d: inline table not closed", errConfigSyntax, s.line)
		}
	}
}

// skipValue skips a value: a string, an array (possibly over several
// lines) or a bare value such as a number, a boolean or a date.
func (s *tomlScanner) skipValue() error {
	switch s.peek() {
	case '"', '\'':
		_, err := s.str()
		return err
	case '[':
		line := s.line
		s.pos++
		for {
			s.skipSpaceAndComments(true)
			switch s.peek() {
			case 0:
				return fmt.Errorf("%w: line %d: array not closed", errConfigSyntax, line)
			case ']':
				s.pos++
				return nil
			case ',':
				s.pos++
			case '{':
				if _, err := s.inlineTable(nil); err != nil {
					return err
				}
			default:
				if err := s.skipValue(); err != nil {
					return err
				}
			}
		}
	}
	start := s.pos
	for !s.done() && isBareValueChar(s.peek()) {
		s.pos++
		// A date and a time may be separated by one space.
		if s.pos-start == len("2006-01-02") && strings.Count(s.src[start:s.pos], "-") == 2 &&
			strings.HasPrefix(s.src[s.pos:], " ") && s.pos+1 < len(s.src) && s.src[s.pos+1] >= '0' && s.src[s.pos+1] <= '9' {
			s.pos++
		}
	}
	if s.pos == start {
		return fmt.Errorf("%w: line %d: expected a value", errConfigSyntax, s.line)
	}
	return nil
}

// isBareValueChar reports whether c may appear in a number, a boolean, an
// infinity or NaN, or a date.
func isBareValueChar(c byte) bool {
	return isBareKeyChar(c) || c == '+' || c == '.' || c == ':'
}

// str reads a basic or literal string, single- or multi-line, and returns
// its raw content (escapes are not decoded; a key never needs them here).
func (s *tomlScanner) str() (string, error) {
	line := s.line
	q := s.peek()
	delim := string(q)
	if strings.HasPrefix(s.src[s.pos:], strings.Repeat(delim, 3)) {
		delim = strings.Repeat(delim, 3)
	}
	s.pos += len(delim)
	start := s.pos
	for !s.done() {
		switch {
		case q == '"' && s.peek() == '\\':
			s.pos += 2
			continue
		case strings.HasPrefix(s.src[s.pos:], delim):
			content := s.src[start:s.pos]
			s.pos += len(delim)
			// A multi-line string may end with up to two more quotes.
			for extra := 0; len(delim) == 3 && extra < 2 && s.peek() == q; extra++ {
				s.pos++
			}
			return content, nil
		case s.peek() == '\n':
			if len(delim) == 1 {
				return "", fmt.Errorf("%w: line %d: string not closed", errConfigSyntax, line)
			}
			s.line++
		}
		s.pos++
	}
	return "", fmt.Errorf("%w: line %d: string not closed", errConfigSyntax, line)
}
