package param

import (
	"reflect"
	"testing"
)

func TestConvert(t *testing.T) {
	tests := []struct {
		v, like, want any
		ok            bool
	}{
		{2, 0.5, 2.0, true},
		{"0.25", 0.5, 0.25, true},
		{"x", 0.5, nil, false},
		{3.0, 1, 3, true},
		{3.5, 1, nil, false},
		{" 7 ", 1, 7, true},
		{"true", false, true, true},
		{1, false, nil, false},
		{10, "off", "10", true},
		{"a", "", "a", true},
		{[]any{1, 2.5}, []float64{}, []float64{1, 2.5}, true},
		{"2,0.7", []float64{}, []float64{2, 0.7}, true},
		{"[1, 2]", []int{}, []int{1, 2}, true},
		{3, []int{}, []int{3}, true},
		{[]any{1.5}, []int{}, nil, false},
		{map[string]any{}, 1, nil, false},
	}
	for _, tc := range tests {
		got, err := Convert(tc.v, tc.like)
		if (err == nil) != tc.ok {
			t.Errorf("Convert(%v, %T): err = %v, want ok=%v", tc.v, tc.like, err, tc.ok)
			continue
		}
		if tc.ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Convert(%v, %T) = %#v, want %#v", tc.v, tc.like, got, tc.want)
		}
	}
}
