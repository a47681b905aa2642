//! The value of one embedding block: a few embeddings of one collection stored back to back.
//!
//! Layout: a format version byte, a `u64` little-endian bitmap of live slots (bit `i` set
//! while slot `i` holds an embedding that is not yet erased), then the slots in order, each
//! `dimension` little-endian `f32`s. A block holds at most 64 slots, the bits of the bitmap.
//! Import appends slots, so a value is as long as its used slots. Erasure zeroes a slot's
//! bytes and clears its bit; a block without live slots is removed.

use crate::error::{Error, Result};

/// Format version of a block value.
pub(crate) const BLOCK_VERSION: u8 = 1;

/// Bytes before the first slot: the version byte and the live bitmap.
pub(crate) const BLOCK_HEADER_BYTES: usize = 9;

/// Most slots a block holds: one per bit of the live bitmap.
pub(crate) const MAX_SLOTS_PER_BLOCK: u32 = 64;

/// Size that a full block value, with redb's per-leaf overhead, should stay under. redb 5.0
/// stores a value larger than a 4 KiB page alone in a leaf of a power-of-two number of pages.
/// A full block of 16 KiB minus this margin therefore takes exactly four pages, and seven
/// 512-float embeddings (14,336 bytes) fill 87.5 % of them.
const BLOCK_TARGET_BYTES: usize = 16 * 1024 - 64;

/// Returns how many embeddings of `dimension` floats a block holds: as many as fit in
/// [`BLOCK_TARGET_BYTES`], at least 1 and at most [`MAX_SLOTS_PER_BLOCK`].
pub(crate) fn slots_per_block(dimension: u32) -> u32 {
    let slot_bytes = (dimension as usize * 4).max(1);
    let fitting = (BLOCK_TARGET_BYTES - BLOCK_HEADER_BYTES) / slot_bytes;
    u32::try_from(fitting)
        .unwrap_or(MAX_SLOTS_PER_BLOCK)
        .clamp(1, MAX_SLOTS_PER_BLOCK)
}

/// A block value being read or changed in memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    /// Bit `i` is set while slot `i` holds a live, unerased embedding.
    pub(crate) live: u64,
    /// Slot bytes back to back, a whole number of slots.
    pub(crate) slots: Vec<u8>,
}

impl Block {
    /// Returns an empty block.
    pub(crate) fn new() -> Self {
        Self {
            live: 0,
            slots: Vec::new(),
        }
    }

    /// Decodes a stored block value whose slots hold `dimension` floats each.
    pub(crate) fn decode(bytes: &[u8], dimension: u32) -> Result<Self> {
        let (live, slots) = split(bytes, dimension)?;
        Ok(Self {
            live,
            slots: slots.to_vec(),
        })
    }

    /// Encodes the block as stored.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(BLOCK_HEADER_BYTES + self.slots.len());
        bytes.push(BLOCK_VERSION);
        bytes.extend_from_slice(&self.live.to_le_bytes());
        bytes.extend_from_slice(&self.slots);
        bytes
    }

    /// Returns the number of slots used, live or erased.
    pub(crate) fn slot_count(&self, dimension: u32) -> u32 {
        let slot_bytes = (dimension as usize * 4).max(1);
        u32::try_from(self.slots.len() / slot_bytes).unwrap_or(u32::MAX)
    }

    /// Appends an embedding into the next slot, marks it live and returns its index.
    pub(crate) fn push(&mut self, embedding: &[f32]) -> u32 {
        let slot = self.slot_count(u32::try_from(embedding.len()).unwrap_or(u32::MAX));
        self.slots.reserve(embedding.len() * 4);
        for value in embedding {
            self.slots.extend_from_slice(&value.to_le_bytes());
        }
        self.live |= 1 << slot;
        slot
    }

    /// Zeroes slot `slot` and marks it dead. A slot beyond the used ones is left alone.
    pub(crate) fn erase(&mut self, slot: u32, dimension: u32) {
        let slot_bytes = dimension as usize * 4;
        let start = slot as usize * slot_bytes;
        if let Some(bytes) = self.slots.get_mut(start..start + slot_bytes) {
            bytes.fill(0);
        }
        if slot < MAX_SLOTS_PER_BLOCK {
            self.live &= !(1 << slot);
        }
    }
}

/// Returns the live bitmap and the slot bytes of a stored block value.
pub(crate) fn split(bytes: &[u8], dimension: u32) -> Result<(u64, &[u8])> {
    if bytes.len() < BLOCK_HEADER_BYTES || bytes[0] != BLOCK_VERSION {
        return Err(corrupt(format!(
            "{} bytes starting with version {:?}, but this build reads version {BLOCK_VERSION}",
            bytes.len(),
            bytes.first()
        )));
    }
    let live = u64::from_le_bytes(
        bytes[1..BLOCK_HEADER_BYTES]
            .try_into()
            .expect("the header is 9 bytes"),
    );
    let slots = &bytes[BLOCK_HEADER_BYTES..];
    let slot_bytes = dimension as usize * 4;
    if slot_bytes == 0 || !slots.len().is_multiple_of(slot_bytes) {
        return Err(corrupt(format!(
            "{} slot bytes are not a whole number of {dimension}-float embeddings",
            slots.len()
        )));
    }
    Ok((live, slots))
}

/// Returns the bytes of slot `slot` of a stored block value, or an error when the block has
/// no such slot or the slot is erased.
pub(crate) fn slot_bytes(bytes: &[u8], dimension: u32, slot: u32) -> Result<&[u8]> {
    let (live, slots) = split(bytes, dimension)?;
    let size = dimension as usize * 4;
    let start = slot as usize * size;
    let is_live = slot < MAX_SLOTS_PER_BLOCK && live & (1 << slot) != 0;
    match slots.get(start..start + size) {
        Some(bytes) if is_live => Ok(bytes),
        _ => Err(corrupt(format!(
            "slot {slot} is not a live slot of a block of {} slots",
            slots.len() / size
        ))),
    }
}

fn corrupt(detail: String) -> Error {
    Error::InternalServer {
        message: format!("stored embedding block is unreadable: {detail}; run `facestore check`"),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_per_block_fills_sixteen_kib() {
        assert_eq!(slots_per_block(512), 7);
        assert_eq!(slots_per_block(128), 31);
        assert_eq!(slots_per_block(4096), 1);
        assert_eq!(slots_per_block(2), MAX_SLOTS_PER_BLOCK);
        assert_eq!(slots_per_block(0), MAX_SLOTS_PER_BLOCK);
    }

    #[test]
    fn full_block_of_512_floats_fits_four_pages() {
        let slots = slots_per_block(512) as usize;
        let value = BLOCK_HEADER_BYTES + slots * 512 * 4;
        // The leaf adds a 4-byte header, a 4-byte value length and the 16-byte key.
        assert!(value + 24 <= 16 * 1024);
    }

    #[test]
    fn push_erase_round_trip() {
        let mut block = Block::new();
        assert_eq!(block.push(&[1.0, 2.0]), 0);
        assert_eq!(block.push(&[3.0, 4.0]), 1);
        let bytes = block.encode();
        assert_eq!(
            slot_bytes(&bytes, 2, 1).unwrap(),
            [3.0_f32, 4.0].map(f32::to_le_bytes).concat()
        );

        let mut decoded = Block::decode(&bytes, 2).unwrap();
        decoded.erase(0, 2);
        assert_eq!(decoded.live, 0b10);
        assert_eq!(&decoded.slots[..8], &[0; 8]);
        assert!(slot_bytes(&decoded.encode(), 2, 0).is_err());
        assert!(slot_bytes(&decoded.encode(), 2, 2).is_err());
    }

    #[test]
    fn garbage_block_is_an_error() {
        for bytes in [
            &[][..],
            &[2, 0, 0, 0, 0, 0, 0, 0, 0],
            &[1, 1, 0, 0, 0, 0, 0, 0, 0, 7],
        ] {
            assert!(split(bytes, 1).is_err());
        }
        assert!(split(&[1, 0, 0, 0, 0, 0, 0, 0, 0], 0).is_err());
    }
}
