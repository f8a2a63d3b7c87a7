"""Pure text leaves: tokenizer (sentences and words, offline), clean (HTML to text,
debris), vec (shingles and vectors for similarity). No I/O, no state."""
