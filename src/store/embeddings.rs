//! Embedding storage: appending embeddings into blocks, reading them back through a face's
//! slot, and the erasure pass that zeroes or removes the slots of deleted faces.

use std::collections::HashMap;

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};

use crate::error::{Error, Result};
use crate::storage::block::{self, Block};
use crate::storage::embedding_codec::SlotEncoding;
use crate::storage::record::{self, CollectionRecord, EmbeddingSlot, StoredFace};
use crate::storage::tables::{
    COLLECTION_NUMBERS_TABLE, COLLECTIONS_TABLE, EMBEDDING_BLOCKS_TABLE, PENDING_ERASURE_TABLE,
};

/// Most pending slots that one erasure transaction handles, which bounds its memory and how
/// long it holds the write lock.
const MAX_SLOTS_PER_ERASURE: usize = 16_384;

/// Appends the embeddings of one write transaction into a collection's last block and the
/// blocks after it. A block is written once when it fills and once by [`finish`], so a batch
/// of `n` faces writes about `n / slots_per_block` block values.
///
/// [`finish`]: EmbeddingAppender::finish
#[derive(Debug)]
pub(crate) struct EmbeddingAppender {
    collection_number: u64,
    dimension: u32,
    /// The block receiving appends, with its number, once loaded.
    open: Option<(u64, Block)>,
    /// Whether `open` contains slots that are not written yet.
    dirty: bool,
}

impl EmbeddingAppender {
    /// Returns an appender for a collection whose embeddings have `dimension` floats.
    pub(crate) fn new(collection_number: u64, dimension: u32) -> Self {
        Self {
            collection_number,
            dimension,
            open: None,
            dirty: false,
        }
    }

    /// Stores `embedding` in the next free slot and returns the slot. An embedding that
    /// needs another encoding than the open block's starts a new block.
    pub(crate) fn append(
        &mut self,
        transaction: &WriteTransaction,
        embedding: &[f32],
    ) -> Result<EmbeddingSlot> {
        let encoding = SlotEncoding::for_embedding(embedding);
        if self.open.is_none() {
            self.open = Some(self.load_last_block(transaction, encoding)?);
        }
        let (number, open) = self.open.as_mut().expect("loaded above");
        if !open.accepts(encoding, self.dimension) {
            let previous = std::mem::replace(open, Block::new(encoding));
            if !previous.slots.is_empty() {
                if self.dirty {
                    write_block(transaction, self.collection_number, *number, &previous)?;
                }
                *number += 1;
            }
        }
        let slot = open.push(embedding);
        self.dirty = true;
        Ok(EmbeddingSlot {
            block: *number,
            slot,
        })
    }

    /// Returns the embedding in `slot`, from the block in memory if it is the open one.
    pub(crate) fn read(
        &self,
        transaction: &WriteTransaction,
        slot: EmbeddingSlot,
    ) -> Result<Vec<f32>> {
        if let Some((number, open)) = &self.open
            && *number == slot.block
        {
            return open.embedding(self.dimension, slot.slot);
        }
        let blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
        read_slot(&blocks, self.collection_number, self.dimension, slot)
    }

    /// Writes the open block if it has unwritten slots.
    pub(crate) fn finish(self, transaction: &WriteTransaction) -> Result<()> {
        if let (true, Some((number, open))) = (self.dirty, &self.open) {
            write_block(transaction, self.collection_number, *number, open)?;
        }
        Ok(())
    }

    /// Returns the collection's last block if it can take an embedding in `encoding`, or a
    /// new empty block after it. A block number freed by the erasure pass may be taken
    /// again: no face and no pending row names a removed block.
    fn load_last_block(
        &self,
        transaction: &WriteTransaction,
        encoding: SlotEncoding,
    ) -> Result<(u64, Block)> {
        let blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
        let number = self.collection_number;
        let last = blocks.range((number, 0)..=(number, u64::MAX))?.next_back();
        let Some(entry) = last else {
            return Ok((0, Block::new(encoding)));
        };
        let (key, value) = entry?;
        let block_number = key.value().1;
        let last = Block::decode(value.value(), self.dimension)?;
        if last.accepts(encoding, self.dimension) {
            Ok((block_number, last))
        } else {
            Ok((block_number.saturating_add(1), Block::new(encoding)))
        }
    }
}

fn write_block(
    transaction: &WriteTransaction,
    collection_number: u64,
    block_number: u64,
    block: &Block,
) -> Result<()> {
    transaction
        .open_table(EMBEDDING_BLOCKS_TABLE)?
        .insert((collection_number, block_number), block.encode().as_slice())?;
    Ok(())
}

/// Reads the embedding in `slot` of a collection whose embeddings have `dimension` floats.
pub(crate) fn read_slot(
    blocks: &impl ReadableTable<(u64, u64), &'static [u8]>,
    collection_number: u64,
    dimension: u32,
    slot: EmbeddingSlot,
) -> Result<Vec<f32>> {
    let value = blocks
        .get((collection_number, slot.block))?
        .ok_or_else(|| Error::InternalServer {
            message: format!(
                "a face names embedding block {} of collection number {collection_number}, \
                 which is not stored; run `facestore check`",
                slot.block
            ),
            source: None,
        })?;
    block::slot_embedding(value.value(), dimension, slot.slot)
}

/// Returns the embedding of a decoded face: the inline one of a version 1 record, or the one
/// in its slot.
pub(crate) fn face_embedding(
    transaction: &WriteTransaction,
    collection: &CollectionRecord,
    face: &StoredFace<'_>,
) -> Result<Option<Vec<f32>>> {
    if !face.inline_embedding.is_empty() {
        return Ok(Some(record::decode_embedding(face.inline_embedding)));
    }
    let Some(slot) = face.record.embedding else {
        return Ok(None);
    };
    let dimension = stored_dimension(collection)?;
    let blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
    read_slot(&blocks, collection.number, dimension, slot).map(Some)
}

/// Returns the collection's embedding dimension, which a collection with a stored embedding
/// always has.
pub(crate) fn stored_dimension(collection: &CollectionRecord) -> Result<u32> {
    collection
        .embedding_dimension
        .ok_or_else(|| Error::InternalServer {
            message: format!(
                "collection number {} stores an embedding but has no embedding dimension; \
                 run `facestore check`",
                collection.number
            ),
            source: None,
        })
}

/// Records the slots of deleted faces for the erasure pass.
pub(crate) fn mark_pending(
    transaction: &WriteTransaction,
    collection_number: u64,
    slots: &mut [EmbeddingSlot],
) -> Result<()> {
    if slots.is_empty() {
        return Ok(());
    }
    slots.sort_unstable();
    let mut pending = transaction.open_table(PENDING_ERASURE_TABLE)?;
    for slot in slots.iter() {
        pending.insert((collection_number, slot.block, slot.slot), ())?;
    }
    Ok(())
}

/// Removes every embedding block and pending row of collection `number`.
pub(crate) fn delete_collection_embeddings(
    transaction: &WriteTransaction,
    number: u64,
) -> Result<()> {
    transaction
        .open_table(EMBEDDING_BLOCKS_TABLE)?
        .retain_in((number, 0)..=(number, u64::MAX), |_, _| false)?;
    transaction
        .open_table(PENDING_ERASURE_TABLE)?
        .retain_in((number, 0, 0)..=(number, u64::MAX, u32::MAX), |_, ()| false)?;
    Ok(())
}

/// Returns whether any slot waits for erasure.
pub(crate) fn has_pending(database: &redb::Database) -> Result<bool> {
    let transaction = database.begin_read()?;
    let pending = transaction.open_table(PENDING_ERASURE_TABLE)?;
    Ok(!pending.is_empty()?)
}

/// Erases every pending slot, in transactions of at most [`MAX_SLOTS_PER_ERASURE`] slots, and
/// returns how many slots it erased.
pub(crate) fn erase_pending(database: &redb::Database) -> Result<u64> {
    let mut erased = 0;
    while has_pending(database)? {
        let transaction = database.begin_write()?;
        match erase_batch(&transaction) {
            Ok(count) => {
                transaction.commit()?;
                erased += count;
            }
            Err(error) => {
                if let Err(abort_error) = transaction.abort() {
                    tracing::warn!(%abort_error, "aborting a failed erasure failed");
                }
                return Err(error);
            }
        }
    }
    Ok(erased)
}

/// Erases the first pending slots in key order, grouped by block: a block left without live
/// slots is removed, any other block is rewritten with the erased slots zeroed. Returns how
/// many pending rows it removed.
fn erase_batch(transaction: &WriteTransaction) -> Result<u64> {
    let mut pending = transaction.open_table(PENDING_ERASURE_TABLE)?;
    let mut rows = Vec::new();
    for entry in pending.iter()?.take(MAX_SLOTS_PER_ERASURE) {
        rows.push(entry?.0.value());
    }
    let Some(&last) = rows.last() else {
        return Ok(0);
    };

    let mut dimensions: HashMap<u64, Option<u32>> = HashMap::new();
    let mut blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
    for group in rows.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (collection_number, block_number, _) = group[0];
        let dimension = match dimensions.get(&collection_number) {
            Some(dimension) => *dimension,
            None => {
                let dimension = collection_dimension(transaction, collection_number)?;
                dimensions.insert(collection_number, dimension);
                dimension
            }
        };
        let Some(dimension) = dimension else {
            // No collection owns this number, so its blocks are unreachable: remove them all.
            blocks.retain_in(
                (collection_number, 0)..=(collection_number, u64::MAX),
                |_, _| false,
            )?;
            continue;
        };

        let stored = blocks
            .get((collection_number, block_number))?
            .map(|value| Block::decode(value.value(), dimension))
            .transpose()?;
        let Some(mut stored) = stored else {
            continue;
        };
        for &(_, _, slot) in group {
            stored.erase(slot, dimension);
        }
        if stored.live == 0 {
            blocks.remove((collection_number, block_number))?;
        } else {
            blocks.insert(
                (collection_number, block_number),
                stored.encode().as_slice(),
            )?;
        }
    }
    pending.retain_in(..=last, |_, ()| false)?;
    Ok(rows.len() as u64)
}

/// Returns the embedding dimension of collection `number`, `Some(0)` for a collection
/// without one, or `None` when no collection has this number.
fn collection_dimension(transaction: &WriteTransaction, number: u64) -> Result<Option<u32>> {
    let numbers = transaction.open_table(COLLECTION_NUMBERS_TABLE)?;
    let Some(collection_id) = numbers.get(number)? else {
        return Ok(None);
    };
    let collections = transaction.open_table(COLLECTIONS_TABLE)?;
    let Some(value) = collections.get(collection_id.value())? else {
        return Ok(None);
    };
    let collection: CollectionRecord = record::decode(value.value())?;
    Ok(Some(collection.embedding_dimension.unwrap_or(0)))
}
