//! A forward-only reader over one file that hashes every byte it consumes (XXH3-128) and knows
//! its position. Owns bounded buffering only; it must never hold more than `READ_BUFFER_BYTES`
//! plus one `CHUNK_BYTES` scratch buffer of a file in memory, and never seeks backwards.

use std::fs::File;
use std::io::{self, BufReader, Read};
use xxhash_rust::xxh3::Xxh3;

/// Capacity of the read-ahead buffer.
pub(crate) const READ_BUFFER_BYTES: usize = 256 * 1024;
/// Size of the scratch buffer used to hash and skip extent data.
pub(crate) const CHUNK_BYTES: usize = 1024 * 1024;

pub(crate) struct HashingReader {
    reader: BufReader<File>,
    hasher: Xxh3,
    scratch: Vec<u8>,
    position_bytes: u64,
}

impl HashingReader {
    pub(crate) fn new(file: File) -> HashingReader {
        HashingReader {
            reader: BufReader::with_capacity(READ_BUFFER_BYTES, file),
            hasher: Xxh3::new(),
            scratch: vec![0; CHUNK_BYTES],
            position_bytes: 0,
        }
    }

    /// Byte offset of the next byte to be read.
    pub(crate) fn position_bytes(&self) -> u64 {
        self.position_bytes
    }

    /// Reads exactly `buf.len()` bytes and adds them to the running hash.
    pub(crate) fn read_hashed(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(buf)?;
        self.hasher.update(buf);
        self.position_bytes += buf.len() as u64;
        Ok(())
    }

    /// Reads exactly `buf.len()` bytes without hashing them (the footer).
    pub(crate) fn read_unhashed(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(buf)?;
        self.position_bytes += buf.len() as u64;
        Ok(())
    }

    /// Reads and hashes `length_bytes` bytes in bounded chunks, keeping none of them.
    pub(crate) fn skip_hashed(&mut self, length_bytes: u64) -> io::Result<()> {
        let mut left_bytes = length_bytes;
        while left_bytes > 0 {
            let take = left_bytes.min(CHUNK_BYTES as u64) as usize;
            assert!(take > 0 && take <= self.scratch.len());
            self.reader.read_exact(&mut self.scratch[..take])?;
            self.hasher.update(&self.scratch[..take]);
            self.position_bytes += take as u64;
            left_bytes -= take as u64;
        }
        Ok(())
    }

    /// XXH3-128 (seed 0) of every hashed byte so far.
    pub(crate) fn digest128(&self) -> u128 {
        self.hasher.digest128()
    }
}

/// XXH3-128 of a file, read in bounded chunks, stopping once more than `size_limit_bytes` were
/// read (so a file that keeps growing cannot hold the reader). Returns (bytes read, digest).
pub(crate) fn hash_file(file: File, size_limit_bytes: u64) -> io::Result<(u64, u128)> {
    let mut reader = HashingReader::new(file);
    while reader.position_bytes <= size_limit_bytes {
        let n = reader.reader.read(&mut reader.scratch)?;
        if n == 0 {
            break;
        }
        reader.hasher.update(&reader.scratch[..n]);
        reader.position_bytes += n as u64;
    }
    Ok((reader.position_bytes, reader.digest128()))
}
