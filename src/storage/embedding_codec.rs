//! Encodings of one embedding in a block slot.
//!
//! An `f32` whose magnitude is below 2 has an exponent field of at most 127, so the top bit
//! of that field is zero. Every value of an L2-normalized embedding, the usual form of a face
//! embedding, is such a value. [`SlotEncoding::Packed31`] drops that bit and stores 31 bits
//! per value, which lets two 512-float embeddings (1,984 bytes each) share one 4 KiB page
//! where two raw ones (2,048 bytes each) plus redb's leaf header do not fit. The encoding is
//! lossless: decoding restores the exact bits.

/// Storage format of the embedding values in one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotEncoding {
    /// Each value as 4 little-endian bytes.
    F32,
    /// Each value as 31 bits, least significant bit first, in a little-endian bit stream:
    /// the `f32` bits without bit 30 (the exponent's top bit), with the sign moved down to
    /// bit 30. The slot is padded with zero bits to whole bytes.
    Packed31,
}

/// Bit 30 of an `f32`: the top bit of the exponent, set only for a magnitude of 2 or more,
/// infinity and NaN.
const EXPONENT_TOP_BIT: u32 = 1 << 30;

/// The 30 bits below [`EXPONENT_TOP_BIT`]: the rest of the exponent and the mantissa.
const LOW_BITS: u32 = EXPONENT_TOP_BIT - 1;

impl SlotEncoding {
    /// Returns the byte stored for this encoding in a block header.
    pub(crate) fn tag(self) -> u8 {
        match self {
            Self::F32 => 0,
            Self::Packed31 => 1,
        }
    }

    /// Returns the encoding that a block header's byte names, or `None` for an unknown byte.
    pub(crate) fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            0 => Some(Self::F32),
            1 => Some(Self::Packed31),
            _ => None,
        }
    }

    /// Returns the most compact encoding that stores `embedding` exactly.
    pub(crate) fn for_embedding(embedding: &[f32]) -> Self {
        if embedding
            .iter()
            .all(|value| value.to_bits() & EXPONENT_TOP_BIT == 0)
        {
            Self::Packed31
        } else {
            Self::F32
        }
    }

    /// Returns the bytes of one slot of `dimension` values.
    pub(crate) fn slot_bytes(self, dimension: u32) -> usize {
        let dimension = dimension as usize;
        match self {
            Self::F32 => dimension * 4,
            Self::Packed31 => (dimension * 31).div_ceil(8),
        }
    }

    /// Appends `embedding` in this encoding to `out`. The caller has checked with
    /// [`for_embedding`](Self::for_embedding) that the encoding can store it.
    pub(crate) fn encode(self, embedding: &[f32], out: &mut Vec<u8>) {
        match self {
            Self::F32 => {
                for value in embedding {
                    out.extend_from_slice(&value.to_le_bytes());
                }
            }
            Self::Packed31 => pack31(embedding, out),
        }
    }

    /// Decodes the `dimension` values of one slot's bytes.
    pub(crate) fn decode(self, bytes: &[u8], dimension: u32) -> Vec<f32> {
        match self {
            Self::F32 => bytes
                .chunks_exact(4)
                .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
                .collect(),
            Self::Packed31 => unpack31(bytes, dimension),
        }
    }
}

fn pack31(embedding: &[f32], out: &mut Vec<u8>) {
    out.reserve(embedding.len() * 31 / 8 + 1);
    // Bits not yet written, lowest first. Fewer than 32 bits wait before a value adds 31,
    // so the accumulator never contains more than 62 bits.
    let mut pending: u64 = 0;
    let mut pending_bits = 0;
    for value in embedding {
        let bits = value.to_bits();
        let packed = (bits & LOW_BITS) | ((bits >> 1) & EXPONENT_TOP_BIT);
        pending |= u64::from(packed) << pending_bits;
        pending_bits += 31;
        if pending_bits >= 32 {
            out.extend_from_slice(&pending.to_le_bytes()[..4]);
            pending >>= 32;
            pending_bits -= 32;
        }
    }
    let tail = usize::try_from(pending_bits).expect("below 32").div_ceil(8);
    out.extend_from_slice(&pending.to_le_bytes()[..tail]);
}

fn unpack31(bytes: &[u8], dimension: u32) -> Vec<f32> {
    let mut values = Vec::with_capacity(dimension as usize);
    let mut words = bytes.chunks(4);
    let mut pending: u64 = 0;
    let mut pending_bits = 0;
    for _ in 0..dimension {
        if pending_bits < 31 {
            // A short slot reads as zero bits, but block decoding has checked slot sizes.
            let mut word = [0; 4];
            if let Some(chunk) = words.next() {
                word[..chunk.len()].copy_from_slice(chunk);
            }
            pending |= u64::from(u32::from_le_bytes(word)) << pending_bits;
            pending_bits += 32;
        }
        let packed = u32::try_from(pending & 0x7FFF_FFFF).expect("masked to 31 bits");
        pending >>= 31;
        pending_bits -= 31;
        let sign = (packed & EXPONENT_TOP_BIT) << 1;
        values.push(f32::from_bits(sign | (packed & LOW_BITS)));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(encoding: SlotEncoding, embedding: &[f32]) -> Vec<f32> {
        let mut bytes = Vec::new();
        encoding.encode(embedding, &mut bytes);
        let dimension = u32::try_from(embedding.len()).unwrap();
        assert_eq!(bytes.len(), encoding.slot_bytes(dimension));
        encoding.decode(&bytes, dimension)
    }

    #[test]
    fn packed31_round_trip_is_exact() {
        let embedding = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1.999_999_9,
            -1.999_999_9,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE / 3.0,
            0.123_456_79,
            -0.987_654_3,
        ];
        assert_eq!(
            SlotEncoding::for_embedding(&embedding),
            SlotEncoding::Packed31
        );
        let decoded = round_trip(SlotEncoding::Packed31, &embedding);
        let bits = |values: &[f32]| {
            values
                .iter()
                .map(|value| value.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&decoded), bits(&embedding));
    }

    #[test]
    fn packed31_round_trip_of_every_length() {
        for dimension in 1..=67_u32 {
            let embedding: Vec<f32> = (0..dimension)
                .map(|index| f32::from_bits(0x3F80_0000 - index * 0x0001_0101))
                .map(|value| if dimension % 2 == 0 { value } else { -value })
                .collect();
            assert_eq!(round_trip(SlotEncoding::Packed31, &embedding), embedding);
        }
    }

    #[test]
    fn magnitude_two_or_more_needs_f32() {
        for value in [2.0, -2.0, 1_234.5, f32::MAX, f32::INFINITY, f32::NAN] {
            assert_eq!(
                SlotEncoding::for_embedding(&[0.5, value]),
                SlotEncoding::F32,
                "{value}"
            );
        }
        let embedding = [2.0, -3.5, 0.25];
        assert_eq!(round_trip(SlotEncoding::F32, &embedding), embedding);
    }

    #[test]
    fn slot_bytes_of_512_floats() {
        assert_eq!(SlotEncoding::F32.slot_bytes(512), 2048);
        assert_eq!(SlotEncoding::Packed31.slot_bytes(512), 1984);
        assert_eq!(SlotEncoding::Packed31.slot_bytes(3), 12);
        assert_eq!(SlotEncoding::Packed31.slot_bytes(1), 4);
    }

    #[test]
    fn tags_round_trip() {
        for encoding in [SlotEncoding::F32, SlotEncoding::Packed31] {
            assert_eq!(SlotEncoding::from_tag(encoding.tag()), Some(encoding));
        }
        assert_eq!(SlotEncoding::from_tag(2), None);
    }
}
