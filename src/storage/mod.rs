//! The on-disk layout: redb tables, their keys, and the versioned record codecs.

pub(crate) mod block;
pub(crate) mod embedding_codec;
pub(crate) mod record;
pub(crate) mod tables;
