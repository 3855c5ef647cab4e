// lz-string's compressToEncodedURIComponent (pieroxy/lz-string 1.5, MIT): the format of the app's
// share links (lz-str in the engine reads it), so that the end-to-end tests can write a link of any
// content, hostile ones included. The tests check it against the app: a link of a plan written
// here must open with the plan's figures.

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';

/** `text` (UTF-16 units) compressed into URI-safe characters, six bits each. */
export function compressToEncodedURIComponent(text) {
  const out = [];
  let bits = 0;
  let filled = 0;
  // Each value is written least significant bit first.
  const write = (value, width) => {
    for (let i = 0; i < width; i++) {
      bits = (bits << 1) | (value & 1);
      value >>= 1;
      if (filled === 5) {
        out.push(alphabet[bits]);
        bits = 0;
        filled = 0;
      } else {
        filled++;
      }
    }
  };
  // The dictionary as a trie: a phrase is its code, and phrase + character is looked up by
  // (code, character), never by the phrase's text (long runs stay linear).
  const chars = new Map();
  const pairs = new Map();
  const toCreate = new Set();
  let phrase = -1;
  let single = -1;
  let enlargeIn = 2;
  let size = 3;
  let width = 2;
  const grow = () => {
    if (--enlargeIn === 0) {
      enlargeIn = 2 ** width;
      width++;
    }
  };
  // The code of the phrase: a character not written yet as a literal (8 or 16 bits), else its
  // dictionary entry.
  const emit = () => {
    if (single >= 0 && toCreate.has(single)) {
      if (single < 256) {
        write(0, width);
        write(single, 8);
      } else {
        write(1, width);
        write(single, 16);
      }
      grow();
      toCreate.delete(single);
    } else {
      write(phrase, width);
    }
    grow();
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!chars.has(c)) {
      chars.set(c, size++);
      toCreate.add(c);
    }
    if (phrase < 0) {
      [phrase, single] = [chars.get(c), c];
      continue;
    }
    const key = phrase * 65536 + c;
    const longer = pairs.get(key);
    if (longer !== undefined) {
      [phrase, single] = [longer, -1];
    } else {
      emit();
      pairs.set(key, size++);
      [phrase, single] = [chars.get(c), c];
    }
  }
  if (phrase >= 0) emit();
  write(2, width);
  for (;;) {
    bits <<= 1;
    if (filled === 5) {
      out.push(alphabet[bits]);
      break;
    }
    filled++;
  }
  return out.join('');
}
