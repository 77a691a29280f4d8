/**
 * Splits text made by rpm's `:shescape` formatter back into words. rpm has no
 * NUL separator in --queryformat, and a file name may hold a tab or a newline;
 * shescape wraps each value in single quotes (a quote inside becomes '\''), so
 * words are unambiguous whatever bytes a name holds.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote in rpm output');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
