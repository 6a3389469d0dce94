//! MemFs against RealFs: the same operation sequences on both (a real temporary directory and
//! a fresh in-memory tree) give the same results, the same contents, the same holes and the
//! same errors (kind and errno); and the hostile nodes a test can plant (a symbolic link, a
//! FIFO) are refused by the in-memory reader exactly as real ones are by the real reader.

mod agree;
mod hostile;
