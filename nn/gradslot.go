package nn

// gradSlot is gradient storage shared by layers of one encoder whose input
// gradients are never needed at the same time: the encoder assigns slots so
// that a layer's input gradient never shares a slot with the gradient it
// is computed from, or with one a later step of the same Backward still
// reads. A deep network then holds a few gradient buffers instead of one
// per layer. Every layer overwrites (or clears) its part before use, so
// sharing cannot change results.
type gradSlot struct {
	data []float32
	need int // the largest size reserved since the buffer was last sized
}

// reserve records that a user needs n elements, so that the first Backward
// allocates the slot once at its final size instead of growing it layer by
// layer.
func (s *gradSlot) reserve(n int) { s.need = max(s.need, n) }

// gradBuffer returns the layer's gradient tensor *buf reshaped to shape:
// with a nil slot the layer's own reused buffer (as ensure), otherwise a
// header over the slot's storage. Its contents are unspecified unless zero
// is true, in which case every element is 0.
func gradBuffer(buf **Tensor, slot *gradSlot, zero bool, shape ...int) *Tensor {
	if slot == nil {
		return ensure(buf, zero, shape...)
	}
	n := ShapeSize(shape)
	fresh := false
	if cap(slot.data) < n {
		slot.data = make([]float32, max(n, slot.need))
		fresh = true
	}
	t := *buf
	if t == nil {
		t = &Tensor{}
		*buf = t
	}
	t.Data = slot.data[:n]
	if zero && !fresh {
		clear(t.Data)
	}
	t.Shape = append(t.Shape[:0], shape...)
	return t
}

// otherSlot returns the first of slots that is not avoid (nil counts as
// no slot to avoid).
func otherSlot(slots []*gradSlot, avoid ...*gradSlot) *gradSlot {
	for _, s := range slots {
		ok := true
		for _, a := range avoid {
			if s == a {
				ok = false
			}
		}
		if ok {
			return s
		}
	}
	panic("nn: no free gradient slot")
}
