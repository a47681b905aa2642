//! The value of one embedding block: a few embeddings of one collection stored back to back.
//!
//! Layout of version 2, the one this build writes: the version byte, the slot encoding's byte
//! (see [`SlotEncoding`]), a `u64` little-endian bitmap of live slots (bit `i` set while slot
//! `i` contains an embedding that is not yet erased), then the slots in order, each
//! [`SlotEncoding::slot_bytes`] long. Version 1, which older builds wrote and this build
//! still reads and erases, has no encoding byte and always stores `f32` slots.
//!
//! A block holds at most 64 slots, the bits of the bitmap. Import appends slots, so a value
//! is as long as its used slots. Erasure zeroes a slot's bytes and clears its bit; a block
//! without live slots is removed.

use crate::error::{Error, Result};
use crate::storage::embedding_codec::SlotEncoding;

/// Format version of the blocks that this build writes.
pub(crate) const BLOCK_VERSION: u8 = 2;

/// Format version of blocks written by older builds: `f32` slots, no encoding byte.
const BLOCK_VERSION_1: u8 = 1;

/// Most slots a block holds: one per bit of the live bitmap.
pub(crate) const MAX_SLOTS_PER_BLOCK: u32 = 64;

/// Size that a full version 2 block value stays under, so that it fits one 4 KiB redb page
/// together with the leaf's header, its value length and the 16-byte key (24 bytes in redb
/// 5.0). Two packed 512-float embeddings take 3,978 bytes, or 97 % of the page. A block that
/// fills its page alone is freed whole when its last face is erased, and erasing a slot of a
/// partly live block rewrites one page.
const BLOCK_TARGET_BYTES: usize = 4096 - 64;

/// Returns how many embeddings of `dimension` floats a version 2 block in `encoding` takes:
/// as many as fit in [`BLOCK_TARGET_BYTES`], at least 1 and at most [`MAX_SLOTS_PER_BLOCK`].
pub(crate) fn slots_per_block(dimension: u32, encoding: SlotEncoding) -> u32 {
    let slot_bytes = encoding.slot_bytes(dimension).max(1);
    let fitting = (BLOCK_TARGET_BYTES - header_bytes(BLOCK_VERSION)) / slot_bytes;
    u32::try_from(fitting)
        .unwrap_or(MAX_SLOTS_PER_BLOCK)
        .clamp(1, MAX_SLOTS_PER_BLOCK)
}

/// Returns the bytes before the first slot of a block of `version`.
fn header_bytes(version: u8) -> usize {
    if version == BLOCK_VERSION_1 { 9 } else { 10 }
}

/// A block value being read or changed in memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    /// Format version, kept when an older block is rewritten by erasure.
    pub(crate) version: u8,
    pub(crate) encoding: SlotEncoding,
    /// Bit `i` is set while slot `i` holds a live, unerased embedding.
    pub(crate) live: u64,
    /// Slot bytes back to back, a whole number of slots.
    pub(crate) slots: Vec<u8>,
}

/// The parts of a stored block value, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockView<'a> {
    pub(crate) version: u8,
    pub(crate) encoding: SlotEncoding,
    pub(crate) live: u64,
    pub(crate) slots: &'a [u8],
    /// Bytes of one slot.
    pub(crate) slot_size: usize,
}

impl BlockView<'_> {
    /// Returns the number of slots stored, live or erased.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len() / self.slot_size
    }
}

impl Block {
    /// Returns an empty version 2 block whose slots use `encoding`.
    pub(crate) fn new(encoding: SlotEncoding) -> Self {
        Self {
            version: BLOCK_VERSION,
            encoding,
            live: 0,
            slots: Vec::new(),
        }
    }

    /// Decodes a stored block value whose slots hold `dimension` floats each.
    pub(crate) fn decode(bytes: &[u8], dimension: u32) -> Result<Self> {
        let view = split(bytes, dimension)?;
        Ok(Self {
            version: view.version,
            encoding: view.encoding,
            live: view.live,
            slots: view.slots.to_vec(),
        })
    }

    /// Encodes the block as stored, in its own format version.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(header_bytes(self.version) + self.slots.len());
        bytes.push(self.version);
        if self.version != BLOCK_VERSION_1 {
            bytes.push(self.encoding.tag());
        }
        bytes.extend_from_slice(&self.live.to_le_bytes());
        bytes.extend_from_slice(&self.slots);
        bytes
    }

    /// Returns the number of slots used, live or erased.
    pub(crate) fn slot_count(&self, dimension: u32) -> u32 {
        u32::try_from(self.view(dimension).slot_count()).unwrap_or(u32::MAX)
    }

    /// Returns whether [`push`](Self::push) may append an embedding in `encoding` of
    /// `dimension` floats: the block is of the current version, uses that encoding, and has
    /// a free slot. Older blocks are never appended to.
    pub(crate) fn accepts(&self, encoding: SlotEncoding, dimension: u32) -> bool {
        self.version == BLOCK_VERSION
            && self.encoding == encoding
            && self.slot_count(dimension) < slots_per_block(dimension, encoding)
    }

    /// Appends an embedding into the next slot, marks it live and returns its index. The
    /// caller has checked [`accepts`](Self::accepts).
    pub(crate) fn push(&mut self, embedding: &[f32]) -> u32 {
        let slot = self.slot_count(u32::try_from(embedding.len()).unwrap_or(u32::MAX));
        self.encoding.encode(embedding, &mut self.slots);
        self.live |= 1 << slot;
        slot
    }

    /// Zeroes slot `slot` and marks it dead. A slot beyond the used ones is left alone.
    pub(crate) fn erase(&mut self, slot: u32, dimension: u32) {
        let slot_bytes = self.encoding.slot_bytes(dimension);
        let start = slot as usize * slot_bytes;
        if let Some(bytes) = self.slots.get_mut(start..start + slot_bytes) {
            bytes.fill(0);
        }
        if slot < MAX_SLOTS_PER_BLOCK {
            self.live &= !(1 << slot);
        }
    }

    /// Returns the embedding in slot `slot`, or an error when the slot is not live.
    pub(crate) fn embedding(&self, dimension: u32, slot: u32) -> Result<Vec<f32>> {
        view_embedding(&self.view(dimension), dimension, slot)
    }

    /// Borrows the block as a [`BlockView`] of `dimension`-float slots.
    fn view(&self, dimension: u32) -> BlockView<'_> {
        BlockView {
            version: self.version,
            encoding: self.encoding,
            live: self.live,
            slots: &self.slots,
            // At least 1, so that a zero dimension cannot divide by zero.
            slot_size: self.encoding.slot_bytes(dimension).max(1),
        }
    }
}

/// Splits a stored block value into its header fields and slot bytes.
pub(crate) fn split(bytes: &[u8], dimension: u32) -> Result<BlockView<'_>> {
    let version = bytes.first().copied();
    let encoding = match version {
        Some(BLOCK_VERSION_1) => Some(SlotEncoding::F32),
        Some(BLOCK_VERSION) => bytes.get(1).copied().and_then(SlotEncoding::from_tag),
        _ => None,
    };
    let (Some(version), Some(encoding)) = (version, encoding) else {
        return Err(corrupt(format!(
            "{} bytes starting with {:?}, but this build reads versions {BLOCK_VERSION_1} and \
             {BLOCK_VERSION} with encodings 0 and 1",
            bytes.len(),
            bytes.get(..2)
        )));
    };
    let header = header_bytes(version);
    let Some(live_bytes) = bytes.get(header - 8..header) else {
        return Err(corrupt(format!(
            "{} bytes are shorter than the {header}-byte header",
            bytes.len()
        )));
    };
    let live = u64::from_le_bytes(live_bytes.try_into().expect("sliced to 8 bytes"));

    let slots = &bytes[header..];
    let slot_size = encoding.slot_bytes(dimension);
    if slot_size == 0 || !slots.len().is_multiple_of(slot_size) {
        return Err(corrupt(format!(
            "{} slot bytes are not a whole number of {dimension}-float embeddings",
            slots.len()
        )));
    }
    Ok(BlockView {
        version,
        encoding,
        live,
        slots,
        slot_size,
    })
}

/// Returns the embedding in slot `slot` of a stored block value, or an error when the block
/// has no such slot or the slot is erased.
pub(crate) fn slot_embedding(bytes: &[u8], dimension: u32, slot: u32) -> Result<Vec<f32>> {
    view_embedding(&split(bytes, dimension)?, dimension, slot)
}

fn view_embedding(view: &BlockView<'_>, dimension: u32, slot: u32) -> Result<Vec<f32>> {
    let start = slot as usize * view.slot_size;
    let is_live = slot < MAX_SLOTS_PER_BLOCK && view.live & (1 << slot) != 0;
    match view.slots.get(start..start + view.slot_size) {
        Some(bytes) if is_live => Ok(view.encoding.decode(bytes, dimension)),
        _ => Err(corrupt(format!(
            "slot {slot} is not a live slot of a block of {} slots",
            view.slot_count()
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

    const PACKED: SlotEncoding = SlotEncoding::Packed31;

    #[test]
    fn slots_per_block_fills_one_page() {
        assert_eq!(slots_per_block(512, PACKED), 2);
        assert_eq!(slots_per_block(512, SlotEncoding::F32), 1);
        assert_eq!(slots_per_block(128, SlotEncoding::F32), 7);
        assert_eq!(slots_per_block(4096, PACKED), 1);
        assert_eq!(slots_per_block(2, SlotEncoding::F32), MAX_SLOTS_PER_BLOCK);
        assert_eq!(slots_per_block(0, SlotEncoding::F32), MAX_SLOTS_PER_BLOCK);
    }

    #[test]
    fn full_block_of_512_floats_fits_one_page() {
        let slots = slots_per_block(512, PACKED) as usize;
        let value = header_bytes(BLOCK_VERSION) + slots * PACKED.slot_bytes(512);
        // The leaf adds a 4-byte header, a 4-byte value length and the 16-byte key.
        assert!(value + 24 <= 4096);
    }

    #[test]
    fn push_erase_round_trip() {
        let mut block = Block::new(PACKED);
        assert!(block.accepts(PACKED, 2));
        assert!(!block.accepts(SlotEncoding::F32, 2));
        assert_eq!(block.push(&[0.5, -0.25]), 0);
        assert_eq!(block.push(&[0.75, 1.5]), 1);
        let bytes = block.encode();
        assert_eq!(bytes[..2], [BLOCK_VERSION, PACKED.tag()]);
        assert_eq!(slot_embedding(&bytes, 2, 1).unwrap(), [0.75, 1.5]);

        let mut decoded = Block::decode(&bytes, 2).unwrap();
        assert_eq!(decoded, block);
        decoded.erase(0, 2);
        assert_eq!(decoded.live, 0b10);
        assert_eq!(&decoded.slots[..PACKED.slot_bytes(2)], &[0; 8]);
        assert!(slot_embedding(&decoded.encode(), 2, 0).is_err());
        assert!(slot_embedding(&decoded.encode(), 2, 2).is_err());
        assert_eq!(decoded.embedding(2, 1).unwrap(), [0.75, 1.5]);
    }

    #[test]
    fn version_1_block_reads_and_keeps_format() {
        let mut bytes = vec![BLOCK_VERSION_1];
        bytes.extend_from_slice(&0b11_u64.to_le_bytes());
        for value in [1.0_f32, 2.0, 3.0, 4.0] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        assert_eq!(slot_embedding(&bytes, 2, 1).unwrap(), [3.0, 4.0]);

        let mut block = Block::decode(&bytes, 2).unwrap();
        assert!(!block.accepts(SlotEncoding::F32, 2));
        block.erase(0, 2);
        let rewritten = block.encode();
        assert_eq!(rewritten.len(), bytes.len());
        assert_eq!(rewritten[0], BLOCK_VERSION_1);
        assert_eq!(slot_embedding(&rewritten, 2, 1).unwrap(), [3.0, 4.0]);
    }

    #[test]
    fn garbage_block_is_an_error() {
        for bytes in [
            &[][..],
            &[3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[2, 7, 0, 0, 0, 0, 0, 0, 0, 0],
            &[2, 0, 0, 0],
            &[1, 1, 0, 0, 0, 0, 0, 0, 0, 7],
        ] {
            assert!(split(bytes, 1).is_err(), "{bytes:?}");
        }
        assert!(split(&[1, 0, 0, 0, 0, 0, 0, 0, 0], 0).is_err());
    }
}
