//! The emulator's only source of pseudo-randomness for seeded data: a tiny SplitMix64.
//!
//! Why it exists: generated records must be a pure function of `(seed, entity, index)`, so the same
//! seed gives byte-identical data on every machine and in every run, and a record can be rebuilt on
//! demand from its index alone. Nothing here may ever read global or thread-local RNG state (token
//! ids and `intuit_tid`s, which must be unpredictable, use `rand` elsewhere).

/// SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, good enough statistics for fake data.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator for record `index` of the table tagged `stream` (one tag per entity kind).
    pub(crate) fn for_record(seed: u64, stream: u64, index: u64) -> SplitMix64 {
        // Mix the three inputs through the finalizer so neighbouring indexes get unrelated streams.
        let a = mix(seed ^ 0x51_7c_c1_b7_27_22_0a_95);
        let b = mix(a ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        SplitMix64 {
            state: mix(b ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03)),
        }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.state)
    }

    /// A value in `0..n` (0 when `n` is 0). Uses a multiply-shift, so no modulo bias worth noting.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A value in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.saturating_add_unsigned(self.below(span))
    }

    /// `true` with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice (the first one for an empty slice is impossible: callers
    /// only pass constant, non-empty tables, and an empty slice yields `None`).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len() as u64) as usize;
        items.get(i)
    }
}

/// The SplitMix64 output finalizer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_stream_and_streams_differ() {
        let a: Vec<u64> = {
            let mut r = SplitMix64::for_record(42, 1, 7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = SplitMix64::for_record(42, 1, 7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut c = SplitMix64::for_record(42, 1, 8);
        assert_ne!(a[0], c.next_u64());
        let mut d = SplitMix64::for_record(43, 1, 7);
        assert_ne!(a[0], d.next_u64());
    }

    #[test]
    fn below_and_range_stay_in_bounds() {
        let mut r = SplitMix64::for_record(1, 2, 3);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let v = r.range(-3, 3);
            assert!((-3..=3).contains(&v));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(5, 5), 5);
        assert!(r.pick::<u8>(&[]).is_none());
    }
}
