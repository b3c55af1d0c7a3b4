package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataCheck(t *testing.T) {
	// A CREMA-D tree with one clip whose WAV is not a WAV (its frame is
	// present); every other clip of the split is missing.
	root := t.TempDir()
	clip := "1001_DFA_ANG_XX"
	for _, dir := range []string{"AudioWAV", filepath.Join("Image-01-FPS", clip)} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "AudioWAV", clip+".wav"), []byte("not a wav"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "Image-01-FPS", clip, "00001.jpg"), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A features tree whose modality a holds a NaN in the test split and
	// whose class 2 is empty.
	feats := t.TempDir()
	for name, text := range map[string]string{
		"a.csv": "1,2\n3,4\n5,nan\n", "b.tsv": "1\n2\n3\n", "labels.csv": "0\n1\n1\n",
		"split.txt": "train\nval\ntest\n", "classes.txt": "x\ny\nz\n",
	} {
		if err := os.WriteFile(filepath.Join(feats, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		status   int
		contains []string
	}{
		{"features with a NaN", []string{"check", "--dataset", "features", "--root", feats}, exitFail,
			[]string{"modality a: a.csv, 3 samples of shape [2], dtype text", "modality b: b.tsv, 3 samples of shape [1], dtype text",
				"class 2 (z) has no samples", "1 NaN and 0 Inf values in split test (first in sample 2)"}},
		{"bundled av-digits", []string{"check", "--dataset", "av-digits"}, exitOK,
			[]string{"train   2400 samples", "ok: every file is present and readable"}},
		{"broken crema-d", []string{"check", "--dataset", "crema-d", "--root", root}, exitFail,
			[]string{"missing:", "... and", "unreadable:", clip + ".wav"}},
		{"unknown dataset", []string{"check", "--dataset", "nope"}, exitConfig, nil},
		{"no dataset", []string{"check"}, exitConfig, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := dispatch(append([]string{"data"}, tc.args...), &out, &errb); got != tc.status {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tc.status, out.String(), errb.String())
			}
			for _, s := range tc.contains {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestListAndDescribe(t *testing.T) {
	tests := []struct {
		args     []string
		status   int
		contains string
	}{
		{[]string{"list", "methods"}, exitOK, "ogm-ge"},
		{[]string{"list", "datasets"}, exitOK, "av-digits"},
		{[]string{"list", "suites"}, exitOK, "default"},
		{[]string{"list", "colours"}, exitConfig, ""},
		{[]string{"describe", "mie"}, exitOK, "[switch]"},
		{[]string{"describe", "av-digits"}, exitOK, "image_noise"},
		{[]string{"describe", "av-digits"}, exitOK, "audio.snr_db       signal-to-noise ratio in dB"},
		{[]string{"describe", "nothing"}, exitConfig, ""},
		{[]string{"frobnicate"}, exitConfig, ""},
		{[]string{"--help"}, exitOK, "Commands:"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		if got := dispatch(tc.args, &out, &errb); got != tc.status {
			t.Errorf("%v: exit %d, want %d (stderr %s)", tc.args, got, tc.status, errb.String())
		}
		if !strings.Contains(out.String(), tc.contains) {
			t.Errorf("%v: output lacks %q", tc.args, tc.contains)
		}
	}
}
