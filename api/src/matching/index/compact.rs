//! Compact storage of the index: variable-length integers, the term table
//! (one string arena, no string per term) and the posting lists (one flat,
//! delta-coded buffer plus a small tail for articles added since the last
//! rebuild).
//!
//! The index lives in every api process for its whole life, so its size is
//! what counts: a posting costs about 3.5 bytes here instead of 8 in a
//! `Vec` per term, and a term its text plus 4 bytes of offset and one hash
//! table entry.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

/// Appends `v` as a LEB128 variable-length integer.
pub(super) fn put_varint(buf: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Reads a LEB128 integer at `*pos` and advances it (0 past the end).
pub(super) fn get_varint(buf: &[u8], pos: &mut usize) -> u32 {
    let mut v: u32 = 0;
    let mut shift = 0;
    while let Some(&b) = buf.get(*pos) {
        *pos += 1;
        v |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

fn hash_of(term: &str) -> u64 {
    let mut h = FxHasher::default();
    term.hash(&mut h);
    h.finish()
}

/// Interned terms: their texts in one arena, looked up by a 64-bit hash.
#[derive(Debug, Clone, Default)]
pub(super) struct Terms {
    arena: String,
    /// End offset of each term in `arena` (term `i` starts at `ends[i-1]`).
    ends: Vec<u32>,
    by_hash: FxHashMap<u64, u32>,
    /// Terms whose hash an earlier term already took (practically never).
    collided: FxHashMap<Box<str>, u32>,
}

impl Terms {
    /// Number of terms.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Text of a term ("" for an unknown id).
    pub(super) fn name(&self, id: u32) -> &str {
        let i = id as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        self.arena.get(start..end).unwrap_or("")
    }

    /// Id of a term, if interned.
    pub(super) fn get(&self, term: &str) -> Option<u32> {
        match self.by_hash.get(&hash_of(term)) {
            Some(&id) if self.name(id) == term => Some(id),
            Some(_) => self.collided.get(term).copied(),
            None => None,
        }
    }

    /// Id of a term, interning it; `true` when it is new.
    pub(super) fn intern(&mut self, term: &str) -> (u32, bool) {
        if let Some(id) = self.get(term) {
            return (id, false);
        }
        let id = self.ends.len() as u32;
        self.arena.push_str(term);
        self.ends.push(self.arena.len() as u32);
        let h = hash_of(term);
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(term.into(), id);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
        }
        (id, true)
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        // A hash table entry: key, value and one control byte, at 7/8 load.
        self.arena.capacity() + self.ends.capacity() * 4 + self.by_hash.capacity() * 13
    }
}

/// Posting weights are stored as u16 fixed-point numbers of this step
/// (saturated term frequencies are below k1 + 1, a few units at most).
const SAT_STEP: f32 = 1.0 / 8192.0;

fn quantize(sat: f32) -> u16 {
    (sat / SAT_STEP).round().clamp(0.0, f32::from(u16::MAX)) as u16
}

/// Posting lists of all terms.
#[derive(Debug, Clone, Default)]
pub(super) struct Postings {
    /// Byte offset of each term's list in `flat` (`starts[t]..starts[t+1]`).
    starts: Vec<u32>,
    /// Per posting: the slot's delta to the previous one (varint) and the
    /// quantised saturated frequency (u16, little-endian). Slots ascend.
    flat: Vec<u8>,
    /// Postings of articles added since the last [`Postings::rebuild`].
    tail: FxHashMap<u32, Vec<(u32, f32)>>,
    tail_len: usize,
    /// Live articles per term (document frequency).
    df: Vec<u32>,
}

impl Postings {
    /// Makes room for term ids up to `terms`.
    pub(super) fn grow(&mut self, terms: usize) {
        if self.df.len() < terms {
            self.df.resize(terms, 0);
        }
    }

    /// Document frequency of a term.
    pub(super) fn df(&self, term: u32) -> usize {
        self.df.get(term as usize).copied().unwrap_or(0) as usize
    }

    /// Counts a live article containing `term`.
    pub(super) fn count(&mut self, term: u32, delta: i32) {
        self.grow(term as usize + 1);
        let d = &mut self.df[term as usize];
        *d = d.saturating_add_signed(delta);
    }

    /// Adds a posting after the last rebuild.
    pub(super) fn push_tail(&mut self, term: u32, slot: u32, sat: f32) {
        self.tail.entry(term).or_default().push((slot, sat));
        self.tail_len += 1;
    }

    /// Drops the tail posting of `slot` for `term`, if any.
    pub(super) fn remove_tail(&mut self, term: u32, slot: u32) {
        if let Some(list) = self.tail.get_mut(&term) {
            if let Some(pos) = list.iter().position(|p| p.0 == slot) {
                list.swap_remove(pos);
                self.tail_len -= 1;
            }
        }
    }

    /// Postings added since the last rebuild.
    pub(super) fn tail_len(&self) -> usize {
        self.tail_len
    }

    /// Calls `f(slot, sat)` for every posting of `term` (removed articles
    /// included: the caller skips them).
    #[inline]
    pub(super) fn for_each(&self, term: u32, mut f: impl FnMut(u32, f32)) {
        let t = term as usize;
        if let (Some(&start), Some(&end)) = (self.starts.get(t), self.starts.get(t + 1)) {
            let bytes = &self.flat[start as usize..end as usize];
            let mut pos = 0;
            let mut slot = 0u32;
            while pos < bytes.len() {
                slot += get_varint(bytes, &mut pos);
                let q = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]);
                pos += 2;
                f(slot, f32::from(q) * SAT_STEP);
            }
        }
        if let Some(list) = self.tail.get(&term) {
            for &(slot, sat) in list {
                f(slot, sat);
            }
        }
    }

    /// Rebuilds the flat buffer from `(slot, term, sat)` triples produced by
    /// `each` in ascending slot order, called twice (count, then fill).
    pub(super) fn rebuild(&mut self, terms: usize, each: impl Fn(&mut dyn FnMut(u32, u32, f32))) {
        self.grow(terms);
        // Pass 1: postings per term, to lay the lists out in one buffer.
        let mut counts = vec![0u32; terms + 1];
        each(&mut |_, t, _| counts[t as usize + 1] += 1);
        let mut offsets = counts;
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let total = offsets[terms] as usize;
        // Pass 2: (slot, weight) grouped by term, then delta-coded.
        let mut tmp = vec![(0u32, 0u16); total];
        let mut cursor = offsets.clone();
        each(&mut |slot, t, sat| {
            let c = &mut cursor[t as usize];
            tmp[*c as usize] = (slot, quantize(sat));
            *c += 1;
        });
        drop(cursor);
        let mut flat = Vec::with_capacity(total * 4);
        let mut starts = Vec::with_capacity(terms + 1);
        for t in 0..terms {
            starts.push(flat.len() as u32);
            let mut prev = 0;
            for &(slot, q) in &tmp[offsets[t] as usize..offsets[t + 1] as usize] {
                put_varint(&mut flat, slot - prev);
                flat.extend_from_slice(&q.to_le_bytes());
                prev = slot;
            }
        }
        starts.push(flat.len() as u32);
        flat.shrink_to_fit();
        self.flat = flat;
        self.starts = starts;
        self.tail = FxHashMap::default();
        self.tail_len = 0;
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        self.flat.capacity()
            + self.starts.capacity() * 4
            + self.df.capacity() * 4
            + self.tail.capacity() * 40
            + self.tail.values().map(|v| v.capacity() * 8).sum::<usize>()
    }
}

/// Per-article term frequencies, coded compactly: for each term (ascending)
/// the id's delta (varint) and a byte with the fields it occurs in; when
/// the top bit of that byte is clear, one count byte per field follows,
/// otherwise it occurs once in each.
pub(super) fn encode_terms(terms: &[(u32, [u8; super::FIELDS])]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(terms.len() * 3);
    let mut prev = 0;
    for (t, tfs) in terms {
        put_varint(&mut out, t - prev);
        prev = *t;
        let mask = tfs
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .fold(0u8, |m, (f, _)| m | (1 << f));
        if tfs.iter().all(|&n| n <= 1) {
            out.push(mask | 0x80);
        } else {
            out.push(mask);
            out.extend(tfs.iter().filter(|&&n| n > 0));
        }
    }
    out.into_boxed_slice()
}

/// Decodes [`encode_terms`], calling `f(term, counts)` in ascending term order.
pub(super) fn decode_terms(buf: &[u8], mut f: impl FnMut(u32, [u8; super::FIELDS])) {
    let mut pos = 0;
    let mut t = 0;
    while pos < buf.len() {
        t += get_varint(buf, &mut pos);
        let mask = buf.get(pos).copied().unwrap_or(0);
        pos += 1;
        let mut tfs = [0u8; super::FIELDS];
        for (i, n) in tfs.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                if mask & 0x80 != 0 {
                    *n = 1;
                } else {
                    *n = buf.get(pos).copied().unwrap_or(0);
                    pos += 1;
                }
            }
        }
        f(t, tfs);
    }
}

/// Ascending ids coded as varint deltas.
pub(super) fn encode_ids(ids: &[u32]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(ids.len() * 2);
    let mut prev = 0;
    for &id in ids {
        put_varint(&mut out, id - prev);
        prev = id;
    }
    out.into_boxed_slice()
}

/// Decodes [`encode_ids`].
pub(super) fn decode_ids(buf: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut pos = 0;
    let mut prev = 0u32;
    std::iter::from_fn(move || {
        (pos < buf.len()).then(|| {
            prev += get_varint(buf, &mut pos);
            prev
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let terms = vec![
            (0, [1, 0, 0, 0, 0]),
            (5, [0, 2, 0, 0, 3]),
            (700, [0, 0, 0, 0, 1]),
        ];
        let mut back = Vec::new();
        decode_terms(&encode_terms(&terms), |t, f| back.push((t, f)));
        assert_eq!(back, terms);
        let ids = [3, 4, 200, 70_000];
        assert_eq!(decode_ids(&encode_ids(&ids)).collect::<Vec<_>>(), ids);
        let mut names = Terms::default();
        assert_eq!(names.intern("учител"), (0, true));
        assert_eq!(names.intern("школ"), (1, true));
        assert_eq!(names.intern("учител"), (0, false));
        assert_eq!(names.get("школ"), Some(1));
        assert_eq!(names.name(1), "школ");
        assert_eq!(names.get("класс"), None);
    }

    #[test]
    fn postings_rebuild_and_tail() {
        let mut p = Postings::default();
        let triples = [
            (0u32, 0u32, 1.0f32),
            (0, 1, 0.5),
            (2, 1, 2.0),
            (300, 0, 0.25),
        ];
        p.rebuild(2, |f| {
            for &(s, t, w) in &triples {
                f(s, t, w);
            }
        });
        p.push_tail(1, 301, 1.5);
        let mut got = Vec::new();
        p.for_each(1, |s, w| got.push((s, (w * 100.0).round())));
        assert_eq!(got, vec![(0, 50.0), (2, 200.0), (301, 150.0)]);
        p.remove_tail(1, 301);
        assert_eq!(p.tail_len(), 0);
    }
}
