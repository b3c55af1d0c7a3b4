package nn

// gradSlot is gradient storage shared by layers of one encoder whose input
// gradients are never needed at the same time: the encoder assigns slots so
// that a layer's input gradient never shares a slot with the gradient it
// is computed from, or with one a later step of the same Backward still
// reads. A deep network then holds a few gradient buffers instead of one
// per layer. Every layer overwrites (or clears) its part before use, so
// sharing cannot change results.
//
// A slot can also hold parts: slots laid out one after another at the
// start of its storage, for users whose lives never overlap with those of
// the slot's own users. The slot then holds nothing live while its parts
// are in use, since growing it for a part reallocates it.
type gradSlot struct {
	data []float32
	need int // the largest size reserved since the buffer was last sized

	parts []*gradSlot // slots stored inside this one, in order
	in    *gradSlot   // the slot this one is a part of
}

// size is how many floats the slot's storage needs: its own largest use
// or its parts one after another, whichever is more.
func (s *gradSlot) size() int {
	n := 0
	for _, p := range s.parts {
		n += p.need
	}
	return max(s.need, n)
}

// view returns the slot's first n floats, allocating (or, for a part,
// growing its parent) when too small; fresh reports newly allocated, zero
// storage. A part's offset is the reservations of the parts before it, so
// a part used beyond its own reservation would overlap the next: a
// programming error.
func (s *gradSlot) view(n int) (data []float32, fresh bool) {
	if s.in == nil {
		if cap(s.data) < n {
			s.data = make([]float32, max(n, s.size()))
			fresh = true
		}
		return s.data[:n], fresh
	}
	if n > s.need {
		panic("nn: gradient slot part used beyond its reservation")
	}
	off := 0
	for _, p := range s.in.parts {
		if p == s {
			break
		}
		off += p.need
	}
	d, fresh := s.in.view(off + n)
	return d[off : off+n], fresh
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
	data, fresh := slot.view(ShapeSize(shape))
	t := *buf
	if t == nil {
		t = &Tensor{}
		*buf = t
	}
	t.Data = data
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
