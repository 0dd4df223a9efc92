// Re-exports the pinned JS reference implementations (resolved from this folder's node_modules)
// for the comparison tests in tests/store_oracle.
export { importer } from 'ipfs-unixfs-importer';
export { fixedSize } from 'ipfs-unixfs-importer/chunker';
export { balanced, trickle } from 'ipfs-unixfs-importer/layout';
export { MemoryBlockstore } from 'blockstore-core';
export { CarReader, CarWriter, CarIndexer } from '@ipld/car';
export { CID } from 'multiformats/cid';
export { sha256 } from 'multiformats/hashes/sha2';
export { UnixFS } from 'ipfs-unixfs';
export * as dagPb from '@ipld/dag-pb';
