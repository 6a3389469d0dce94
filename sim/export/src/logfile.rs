//! The disk log-file format v1 of FORMAT.md: a streaming encoder (pure functions producing
//! header, extent-record and footer bytes while keeping the running xxh3-128, the one hash
//! taken of a log: its footer's `file_checksum` is also what the manifest lists for it) and a
//! decoder that checks every rule. Owns the byte layout; it must never perform I/O.

use crate::guid::Guid;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3Default};

pub const LOG_MAGIC: &[u8; 8] = b"RPSIMLOG";
pub const FOOTER_MAGIC: &[u8; 8] = b"RPLOGEND";
pub const EXTENT_TAG: &[u8; 4] = b"EXTN";
pub const LOG_VERSION: u32 = 1;
pub const FLAG_DIFFERENTIAL: u32 = 1;
pub const RECORD_HEAD_BYTES: u64 = 24;
pub const FOOTER_BYTES: u64 = 48;
/// Fixed header bytes: magic, version, flags, sizes, two GUIDs (strings and checksum excluded).
const HEADER_FIXED_BYTES: u64 = 8 + 4 + 4 + 8 + 8 + 16 + 16;
pub const RECORD_LENGTH_BYTES_MAX: u64 = 64 * 1024 * 1024;
pub const BLOCK_SIZE_BYTES_MIN: u64 = 4 * 1024;
pub const BLOCK_SIZE_BYTES_MAX: u64 = 256 * 1024 * 1024;
pub const STRING_BYTES_MAX: usize = u16::MAX as usize;

/// The header fields of one log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHeader {
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    pub target_reference_point: Guid,
    /// `None` for a full log.
    pub base_reference_point: Option<Guid>,
    pub disk_instance_id: String,
    pub target_rct_id: String,
    /// Empty for a full log.
    pub base_rct_id: String,
}

impl LogHeader {
    /// Why this header cannot be encoded, if so.
    pub fn check(&self) -> Result<(), String> {
        let bs = self.block_size_bytes;
        if !bs.is_power_of_two() || !(BLOCK_SIZE_BYTES_MIN..=BLOCK_SIZE_BYTES_MAX).contains(&bs) {
            return Err(format!(
                "block size {bs} is not a power of two in 4 KiB..256 MiB"
            ));
        }
        for s in [
            &self.disk_instance_id,
            &self.target_rct_id,
            &self.base_rct_id,
        ] {
            if s.len() > STRING_BYTES_MAX {
                return Err(format!(
                    "string of {} bytes is longer than {STRING_BYTES_MAX}",
                    s.len()
                ));
            }
        }
        if self.base_reference_point.is_none() && !self.base_rct_id.is_empty() {
            return Err("a full log names no base RCT ID".to_string());
        }
        if self.base_reference_point == Some(Guid::NIL) {
            return Err("the base reference point is the nil GUID".to_string());
        }
        Ok(())
    }

    pub fn encoded_len_bytes(&self) -> u64 {
        let strings = [
            &self.disk_instance_id,
            &self.target_rct_id,
            &self.base_rct_id,
        ];
        HEADER_FIXED_BYTES + strings.iter().map(|s| 2 + s.len() as u64).sum::<u64>() + 8
    }
}

/// Size of a whole log with these record lengths.
pub fn log_len_bytes(header: &LogHeader, record_lengths_bytes: impl Iterator<Item = u64>) -> u64 {
    header.encoded_len_bytes()
        + record_lengths_bytes
            .map(|l| RECORD_HEAD_BYTES + l)
            .sum::<u64>()
        + FOOTER_BYTES
}

/// Running state of one log being written: feed it the records in order, then take the footer.
#[derive(Clone)]
pub struct LogEncoder {
    hasher: Xxh3Default,
    virtual_size_bytes: u64,
    next_offset_min_bytes: u64,
    extent_count: u64,
    data_bytes: u64,
}

impl std::fmt::Debug for LogEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("LogEncoder")
            .field("extent_count", &self.extent_count)
            .field("data_bytes", &self.data_bytes)
            .finish()
    }
}

impl LogEncoder {
    /// The encoder and the header bytes; `header` must pass [`LogHeader::check`].
    pub fn new(header: &LogHeader) -> (LogEncoder, Vec<u8>) {
        assert!(
            header.check().is_ok(),
            "unencodable log header: {:?}",
            header.check()
        );
        let mut bytes = Vec::with_capacity(header.encoded_len_bytes() as usize);
        bytes.extend_from_slice(LOG_MAGIC);
        bytes.extend_from_slice(&LOG_VERSION.to_le_bytes());
        let flags = if header.base_reference_point.is_some() {
            FLAG_DIFFERENTIAL
        } else {
            0
        };
        bytes.extend_from_slice(&flags.to_le_bytes());
        bytes.extend_from_slice(&header.virtual_size_bytes.to_le_bytes());
        bytes.extend_from_slice(&header.block_size_bytes.to_le_bytes());
        bytes.extend_from_slice(&header.target_reference_point.0);
        bytes.extend_from_slice(&header.base_reference_point.unwrap_or(Guid::NIL).0);
        for s in [
            &header.disk_instance_id,
            &header.target_rct_id,
            &header.base_rct_id,
        ] {
            bytes.extend_from_slice(&(s.len() as u16).to_le_bytes());
            bytes.extend_from_slice(s.as_bytes());
        }
        let checksum = xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        assert_eq!(bytes.len() as u64, header.encoded_len_bytes());
        let mut hasher = Xxh3Default::new();
        hasher.update(&bytes);
        let encoder = LogEncoder {
            hasher,
            virtual_size_bytes: header.virtual_size_bytes,
            next_offset_min_bytes: 0,
            extent_count: 0,
            data_bytes: 0,
        };
        (encoder, bytes)
    }

    /// One extent record: its 24-byte head followed by `data` (a copy; the job uses
    /// [`LogEncoder::record_into`]).
    pub fn record(&mut self, offset_bytes: u64, data: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let filled: Result<(), std::convert::Infallible> =
            self.record_into(offset_bytes, data.len() as u64, &mut bytes, |out| {
                out.copy_from_slice(data);
                Ok(())
            });
        match filled {
            Ok(()) => bytes,
            Err(never) => match never {},
        }
    }

    /// Makes `out` exactly one extent record: its head, then `length_bytes` of data that
    /// `fill` writes in place, so the data is never copied and one target write carries the
    /// whole record. `out` keeps its allocation and is only zero-extended when it was shorter
    /// (a reused buffer costs no pass over memory); on error `out` holds a partial record and
    /// the encoder is unchanged.
    pub fn record_into<E>(
        &mut self,
        offset_bytes: u64,
        length_bytes: u64,
        out: &mut Vec<u8>,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        assert!(
            (1..=RECORD_LENGTH_BYTES_MAX).contains(&length_bytes),
            "record of {length_bytes} bytes"
        );
        assert!(
            offset_bytes >= self.next_offset_min_bytes,
            "records out of order"
        );
        assert!(offset_bytes
            .checked_add(length_bytes)
            .is_some_and(|end| end <= self.virtual_size_bytes));
        let head = RECORD_HEAD_BYTES as usize;
        out.resize(head + length_bytes as usize, 0);
        out[0..4].copy_from_slice(EXTENT_TAG);
        out[4..8].copy_from_slice(&0u32.to_le_bytes());
        out[8..16].copy_from_slice(&offset_bytes.to_le_bytes());
        out[16..24].copy_from_slice(&length_bytes.to_le_bytes());
        fill(&mut out[head..])?;
        self.hasher.update(out);
        self.next_offset_min_bytes = offset_bytes + length_bytes;
        self.extent_count += 1;
        self.data_bytes += length_bytes;
        Ok(())
    }

    /// XXH3-128 of every byte produced so far; once every record is produced, the footer's
    /// `file_checksum` and the log's checksum in the manifest (FORMAT.md, manifest v2).
    pub fn file_checksum(&self) -> u128 {
        self.hasher.digest128()
    }

    /// The 48-byte footer closing the log.
    pub fn footer(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(FOOTER_BYTES as usize);
        bytes.extend_from_slice(FOOTER_MAGIC);
        bytes.extend_from_slice(&self.extent_count.to_le_bytes());
        bytes.extend_from_slice(&self.data_bytes.to_le_bytes());
        bytes.extend_from_slice(&self.file_checksum().to_le_bytes());
        let checksum = xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        assert_eq!(bytes.len() as u64, FOOTER_BYTES);
        bytes
    }
}

/// One extent read back from a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedExtent {
    pub offset_bytes: u64,
    pub data: Vec<u8>,
}

/// A whole log read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedLog {
    pub header: LogHeader,
    pub extents: Vec<DecodedExtent>,
}

/// Reads a whole log, rejecting it when any rule of FORMAT.md fails.
pub fn decode(bytes: &[u8]) -> Result<DecodedLog, String> {
    let mut r = Reader { bytes, pos: 0 };
    let header = decode_header(&mut r)?;
    let body_end = bytes
        .len()
        .checked_sub(FOOTER_BYTES as usize)
        .filter(|&e| e >= r.pos)
        .ok_or("file ends before the footer")?;
    let mut extents = Vec::new();
    let mut next_offset_min_bytes = 0u64;
    while r.pos < body_end {
        if body_end - r.pos < RECORD_HEAD_BYTES as usize {
            return Err(format!(
                "bytes left between the last extent and the footer at {}",
                r.pos
            ));
        }
        let extent = decode_record(&mut r, body_end, &header, next_offset_min_bytes)?;
        next_offset_min_bytes = extent.offset_bytes + extent.data.len() as u64;
        extents.push(extent);
    }
    assert_eq!(r.pos, body_end);
    decode_footer(bytes, body_end, &extents)?;
    Ok(DecodedLog { header, extents })
}

fn decode_header(r: &mut Reader) -> Result<LogHeader, String> {
    if r.take(8)? != LOG_MAGIC {
        return Err("bad magic: not an rpsim log".to_string());
    }
    let version = r.u32()?;
    if version != LOG_VERSION {
        return Err(format!("unsupported log version {version}"));
    }
    let flags = r.u32()?;
    if flags & !FLAG_DIFFERENTIAL != 0 {
        return Err(format!("unknown flags {flags:#x}"));
    }
    let virtual_size_bytes = r.u64()?;
    let block_size_bytes = r.u64()?;
    let target_reference_point = r.guid()?;
    let base = r.guid()?;
    let differential = flags & FLAG_DIFFERENTIAL != 0;
    if differential == (base == Guid::NIL) {
        return Err("differential flag disagrees with the base reference point".to_string());
    }
    let disk_instance_id = r.string()?;
    let target_rct_id = r.string()?;
    let base_rct_id = r.string()?;
    let checksum_expected = xxh3_64(&r.bytes[..r.pos]);
    if r.u64()? != checksum_expected {
        return Err("header checksum mismatch".to_string());
    }
    let base_reference_point = differential.then_some(base);
    let header = LogHeader {
        virtual_size_bytes,
        block_size_bytes,
        target_reference_point,
        base_reference_point,
        disk_instance_id,
        target_rct_id,
        base_rct_id,
    };
    header.check()?;
    Ok(header)
}

fn decode_record(
    r: &mut Reader,
    body_end: usize,
    header: &LogHeader,
    offset_min: u64,
) -> Result<DecodedExtent, String> {
    let at = r.pos;
    if r.take(4)? != EXTENT_TAG || r.u32()? != 0 {
        return Err(format!("bad extent record at {at}"));
    }
    let offset_bytes = r.u64()?;
    let length_bytes = r.u64()?;
    if !(1..=RECORD_LENGTH_BYTES_MAX).contains(&length_bytes) {
        return Err(format!(
            "extent at {at}: length {length_bytes} out of range"
        ));
    }
    if offset_bytes < offset_min {
        return Err(format!(
            "extent at {at}: offsets not strictly ascending or overlapping"
        ));
    }
    let inside = matches!(offset_bytes.checked_add(length_bytes), Some(end) if end <= header.virtual_size_bytes);
    if !inside {
        return Err(format!("extent at {at}: beyond the virtual size"));
    }
    if (body_end - r.pos) < length_bytes as usize {
        return Err(format!("extent at {at}: data runs into the footer"));
    }
    let data = r.take(length_bytes as usize)?.to_vec();
    Ok(DecodedExtent { offset_bytes, data })
}

fn decode_footer(bytes: &[u8], body_end: usize, extents: &[DecodedExtent]) -> Result<(), String> {
    let mut r = Reader {
        bytes,
        pos: body_end,
    };
    if r.take(8)? != FOOTER_MAGIC {
        return Err("bad footer magic".to_string());
    }
    let extent_count = r.u64()?;
    let data_bytes = r.u64()?;
    let file_checksum = u128::from_le_bytes(r.take(16)?.try_into().map_err(|_| "short footer")?);
    let footer_checksum_expected = xxh3_64(&bytes[body_end..r.pos]);
    if r.u64()? != footer_checksum_expected {
        return Err("footer checksum mismatch".to_string());
    }
    if extent_count != extents.len() as u64 {
        return Err("footer extent count mismatch".to_string());
    }
    if data_bytes != extents.iter().map(|e| e.data.len() as u64).sum::<u64>() {
        return Err("footer data byte count mismatch".to_string());
    }
    if file_checksum != xxh3_128(&bytes[..body_end]) {
        return Err("file checksum mismatch".to_string());
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("file is truncated")?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "short read")?,
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| "short read")?,
        ))
    }
    fn guid(&mut self) -> Result<Guid, String> {
        Ok(Guid(self.take(16)?.try_into().map_err(|_| "short read")?))
    }
    fn string(&mut self) -> Result<String, String> {
        let len = u16::from_le_bytes(self.take(2)?.try_into().map_err(|_| "short read")?) as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "string is not UTF-8".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(base: Option<Guid>) -> LogHeader {
        LogHeader {
            virtual_size_bytes: 1 << 20,
            block_size_bytes: 64 * 1024,
            target_reference_point: Guid::from_u128(7),
            base_reference_point: base,
            disk_instance_id: "disk:1".into(),
            target_rct_id: "rct-2".into(),
            base_rct_id: if base.is_some() {
                "rct-1".into()
            } else {
                String::new()
            },
        }
    }

    fn sample_log() -> Vec<u8> {
        let h = header(Some(Guid::from_u128(3)));
        let (mut enc, mut bytes) = LogEncoder::new(&h);
        bytes.extend(enc.record(0, &[1u8; 100]));
        bytes.extend(enc.record(65536, &[2u8; 4096]));
        bytes.extend(enc.footer());
        assert_eq!(
            bytes.len() as u64,
            log_len_bytes(&h, [100u64, 4096].into_iter())
        );
        bytes
    }

    #[test]
    fn round_trip() {
        let decoded = decode(&sample_log()).unwrap();
        assert_eq!(decoded.header, header(Some(Guid::from_u128(3))));
        assert_eq!(decoded.extents.len(), 2);
        assert_eq!(decoded.extents[1].offset_bytes, 65536);
        assert_eq!(decoded.extents[1].data, vec![2u8; 4096]);
    }

    #[test]
    fn any_flipped_byte_or_truncation_is_rejected() {
        let log = sample_log();
        for i in (0..log.len()).step_by(7) {
            let mut bad = log.clone();
            bad[i] ^= 0x40;
            assert!(decode(&bad).is_err(), "flip at {i} accepted");
        }
        for len in [0, 10, log.len() - 48, log.len() - 1] {
            assert!(decode(&log[..len]).is_err(), "truncation to {len} accepted");
        }
    }

    #[test]
    fn empty_full_log_is_valid() {
        let h = header(None);
        let (enc, mut bytes) = LogEncoder::new(&h);
        bytes.extend(enc.footer());
        assert!(decode(&bytes).unwrap().extents.is_empty());
    }
}
