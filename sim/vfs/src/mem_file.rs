//! The bytes of one in-memory file: [`FileData`], a sparse file as extents (non-overlapping
//! runs of written bytes in a `BTreeMap` by offset, none crossing a [`SLOT_BYTES`] boundary and
//! none touching another of its slot; everything else reads as zeros), with `pread`/`pwrite`/`ftruncate` and `SEEK_DATA`/`SEEK_HOLE` at the page size of
//! tmpfs and ext4, so holes are reported where the kernel reports them; and [`MemFile`], an
//! open handle on it. Owns the extent arithmetic and the byte accounting of the file system;
//! it must never hold a byte the file does not have, nor read one past its length.

use crate::kind::errno;
use crate::VFile;
use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Granularity of data and holes as `SEEK_DATA`/`SEEK_HOLE` report them (tmpfs pages, ext4
/// blocks).
pub const MEM_PAGE_BYTES: u64 = 4096;

/// No extent crosses a multiple of this: an append fills one slot's buffer, reserved whole
/// once, instead of growing (and copying) one buffer the size of the file. A multiple of
/// [`MEM_PAGE_BYTES`], so the data regions the kernel would report are unchanged.
const SLOT_BYTES: u64 = 1 << 20;

/// A write at least this large into a new extent reserves the rest of its slot at once.
const RESERVE_SLOT_WRITE_BYTES: usize = 16 * 1024;

/// What every file of one in-memory file system shares: its limits and the bytes it holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) capacity_bytes: u64,
    pub(crate) file_size_max_bytes: u64,
    pub(crate) used_bytes: AtomicU64,
}

impl Shared {
    pub(crate) fn available_bytes(&self) -> u64 {
        self.capacity_bytes
            .saturating_sub(self.used_bytes.load(Ordering::Relaxed))
    }
}

/// A sparse file.
#[derive(Debug)]
pub(crate) struct FileData {
    /// Written runs by offset; none overlaps or touches the next, none is empty, none passes
    /// `len_bytes`.
    extents: BTreeMap<u64, Vec<u8>>,
    len_bytes: u64,
    /// Sum of the extents' lengths (counted in `Shared::used_bytes`).
    held_bytes: u64,
    shared: Arc<Shared>,
}

pub(crate) type FileRef = Arc<Mutex<FileData>>;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FileData {
    pub(crate) fn new_ref(shared: &Arc<Shared>) -> FileRef {
        Arc::new(Mutex::new(FileData {
            extents: BTreeMap::new(),
            len_bytes: 0,
            held_bytes: 0,
            shared: Arc::clone(shared),
        }))
    }

    pub(crate) fn len_bytes(&self) -> u64 {
        self.len_bytes
    }

    fn read_at(&self, buf: &mut [u8], offset_bytes: u64) -> usize {
        if offset_bytes >= self.len_bytes {
            return 0;
        }
        let n = (self.len_bytes - offset_bytes).min(buf.len() as u64) as usize;
        let end_bytes = offset_bytes + n as u64;
        let buf = &mut buf[..n];
        let first = self
            .extents
            .range(..=offset_bytes)
            .next_back()
            .map_or(offset_bytes, |(&start, _)| start);
        // Zeros only where no extent is: the gaps between the pieces copied.
        let mut zeroed_to = offset_bytes;
        for (&start, data) in self.extents.range(first..end_bytes) {
            let from = start.max(offset_bytes);
            let to = (start + data.len() as u64).min(end_bytes);
            if from >= to {
                continue;
            }
            buf[(zeroed_to - offset_bytes) as usize..(from - offset_bytes) as usize].fill(0);
            buf[(from - offset_bytes) as usize..(to - offset_bytes) as usize]
                .copy_from_slice(&data[(from - start) as usize..(to - start) as usize]);
            zeroed_to = to;
        }
        buf[(zeroed_to - offset_bytes) as usize..].fill(0);
        n
    }

    fn write_at(&mut self, buf: &[u8], offset_bytes: u64) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let end_bytes = offset_bytes
            .checked_add(buf.len() as u64)
            .filter(|end| *end <= self.shared.file_size_max_bytes)
            .ok_or_else(|| errno(libc::EFBIG))?;
        if buf.len() as u64 > self.shared.available_bytes() {
            return Err(errno(libc::ENOSPC));
        }
        let mut at_bytes = offset_bytes;
        let mut rest = buf;
        while !rest.is_empty() {
            let slot_end_bytes = (at_bytes / SLOT_BYTES + 1) * SLOT_BYTES;
            let take = ((slot_end_bytes - at_bytes) as usize).min(rest.len());
            self.write_in_slot(&rest[..take], at_bytes, slot_end_bytes);
            at_bytes += take as u64;
            rest = &rest[take..];
        }
        self.len_bytes = self.len_bytes.max(end_bytes);
        Ok(())
    }

    /// Writes `buf`, which lies inside the slot ending at `slot_end_bytes`, joining the
    /// extents of that slot it overlaps or touches.
    fn write_in_slot(&mut self, buf: &[u8], offset_bytes: u64, slot_end_bytes: u64) {
        let slot_start_bytes = slot_end_bytes - SLOT_BYTES;
        assert!(offset_bytes >= slot_start_bytes);
        assert!(offset_bytes + buf.len() as u64 <= slot_end_bytes);
        let mut removed_bytes = 0u64;
        let touching = self
            .extents
            .range(slot_start_bytes..=offset_bytes)
            .next_back()
            .filter(|(&start, data)| start + data.len() as u64 >= offset_bytes)
            .map(|(&start, _)| start);
        let (base, mut data) = match touching {
            Some(start) => (start, self.extents.remove(&start).expect("just found")),
            None if buf.len() >= RESERVE_SLOT_WRITE_BYTES => (
                offset_bytes,
                Vec::with_capacity((slot_end_bytes - offset_bytes) as usize),
            ),
            None => (offset_bytes, Vec::new()),
        };
        removed_bytes += data.len() as u64;
        let at = (offset_bytes - base) as usize;
        assert!(at <= data.len());
        if at + buf.len() <= data.len() {
            data[at..at + buf.len()].copy_from_slice(buf);
        } else {
            data.truncate(at);
            data.extend_from_slice(buf);
        }
        while let Some((&start, _)) = self.extents.range(base + 1..slot_end_bytes).next() {
            let data_end = base + data.len() as u64;
            if start > data_end {
                break;
            }
            let next = self.extents.remove(&start).expect("just found");
            removed_bytes += next.len() as u64;
            let next_end = start + next.len() as u64;
            if next_end > data_end {
                data.extend_from_slice(&next[(data_end - start) as usize..]);
            }
        }
        assert!(base + data.len() as u64 <= slot_end_bytes);
        let added_bytes = data.len() as u64;
        self.extents.insert(base, data);
        self.account(added_bytes, removed_bytes);
    }

    fn set_len(&mut self, size_bytes: u64) -> io::Result<()> {
        if size_bytes > self.shared.file_size_max_bytes {
            return Err(errno(libc::EFBIG));
        }
        let mut removed_bytes = 0u64;
        let mut added_bytes = 0u64;
        if size_bytes < self.len_bytes {
            let cut = self.extents.split_off(&size_bytes);
            removed_bytes += cut.values().map(|v| v.len() as u64).sum::<u64>();
            let kept_page = cut.keys().next().copied();
            if let Some((&start, data)) = self.extents.range_mut(..size_bytes).next_back() {
                let keep = (size_bytes - start).min(data.len() as u64) as usize;
                removed_bytes += (data.len() - keep) as u64;
                data.truncate(keep);
                if data.is_empty() {
                    self.extents.remove(&start);
                }
            }
            if let Some(cut_start) = kept_page {
                added_bytes += self.keep_last_page(size_bytes, cut_start);
            }
        }
        self.len_bytes = size_bytes;
        self.account(added_bytes, removed_bytes);
        Ok(())
    }

    /// After a truncation to `size_bytes` cut away an extent starting at `cut_start`: the
    /// kernel keeps the page holding the new last byte when it held data, so when the cut
    /// extent started inside that page and no extent reaches the new end, the last byte (a
    /// zero: every cut byte lay past the end) is kept as data. Returns the bytes added.
    fn keep_last_page(&mut self, size_bytes: u64, cut_start: u64) -> u64 {
        let page_end_bytes = size_bytes.div_ceil(MEM_PAGE_BYTES) * MEM_PAGE_BYTES;
        if size_bytes == 0 || cut_start >= page_end_bytes {
            return 0;
        }
        let last = size_bytes - 1;
        let before = self.extents.range_mut(..size_bytes).next_back();
        match before {
            Some((&start, data)) if start + data.len() as u64 == size_bytes => 0,
            Some((&start, data))
                if start + data.len() as u64 == last && start / SLOT_BYTES == last / SLOT_BYTES =>
            {
                data.push(0);
                1
            }
            _ => {
                self.extents.insert(last, vec![0]);
                1
            }
        }
    }

    /// `added_bytes` now held, `removed_bytes` no longer.
    fn account(&mut self, added_bytes: u64, removed_bytes: u64) {
        assert!(self.held_bytes + added_bytes >= removed_bytes);
        self.held_bytes = self.held_bytes + added_bytes - removed_bytes;
        let used = &self.shared.used_bytes;
        used.fetch_add(added_bytes, Ordering::Relaxed);
        used.fetch_sub(removed_bytes, Ordering::Relaxed);
    }

    /// The data regions as the kernel reports them: each extent widened to whole pages,
    /// touching ones joined, the last cut at the length; from the region that holds the last
    /// extent starting at or before `near_bytes` (earlier ones cannot reach past it).
    fn regions(&self, near_bytes: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        let mut pending: Option<(u64, u64)> = None;
        let len_bytes = self.len_bytes;
        let first = self
            .extents
            .range(..=near_bytes)
            .next_back()
            .map_or(0, |(&start, _)| start);
        let mut extents = self.extents.range(first..);
        std::iter::from_fn(move || loop {
            let Some((&start, data)) = extents.next() else {
                return pending.take();
            };
            let from = start / MEM_PAGE_BYTES * MEM_PAGE_BYTES;
            let to = (start + data.len() as u64)
                .div_ceil(MEM_PAGE_BYTES)
                .saturating_mul(MEM_PAGE_BYTES)
                .min(len_bytes);
            match pending {
                Some((p_from, p_to)) if from <= p_to => pending = Some((p_from, p_to.max(to))),
                Some(done) => {
                    pending = Some((from, to));
                    return Some(done);
                }
                None => pending = Some((from, to)),
            }
        })
    }

    fn seek_data(&self, from_bytes: u64) -> Option<u64> {
        if from_bytes >= self.len_bytes {
            return None;
        }
        self.regions(from_bytes)
            .find(|&(_, to)| to > from_bytes)
            .map(|(from, _)| from.max(from_bytes))
    }

    fn seek_hole(&self, from_bytes: u64) -> Option<u64> {
        if from_bytes >= self.len_bytes {
            return None;
        }
        let inside = self
            .regions(from_bytes)
            .find(|&(from, to)| from <= from_bytes && from_bytes < to);
        Some(inside.map_or(from_bytes, |(_, to)| to))
    }
}

impl Drop for FileData {
    fn drop(&mut self) {
        let held = self.held_bytes;
        self.shared.used_bytes.fetch_sub(held, Ordering::Relaxed);
    }
}

/// An open in-memory file; a handle opened for reading refuses writes as the kernel does.
#[derive(Debug)]
pub(crate) struct MemFile {
    pub(crate) data: FileRef,
    pub(crate) writable: bool,
}

impl VFile for MemFile {
    fn read_at(&self, buf: &mut [u8], offset_bytes: u64) -> io::Result<usize> {
        Ok(lock(&self.data).read_at(buf, offset_bytes))
    }

    fn write_all_at(&self, buf: &[u8], offset_bytes: u64) -> io::Result<()> {
        if !self.writable {
            return Err(errno(libc::EBADF));
        }
        lock(&self.data).write_at(buf, offset_bytes)
    }

    fn len_bytes(&self) -> io::Result<u64> {
        Ok(lock(&self.data).len_bytes())
    }

    fn seek_data(&self, from_bytes: u64) -> io::Result<Option<u64>> {
        Ok(lock(&self.data).seek_data(from_bytes))
    }

    fn seek_hole(&self, from_bytes: u64) -> io::Result<Option<u64>> {
        Ok(lock(&self.data).seek_hole(from_bytes))
    }

    fn set_len(&self, size_bytes: u64) -> io::Result<()> {
        if !self.writable {
            return Err(errno(libc::EINVAL));
        }
        lock(&self.data).set_len(size_bytes)
    }

    fn sync_all(&self) -> io::Result<()> {
        Ok(())
    }
}
