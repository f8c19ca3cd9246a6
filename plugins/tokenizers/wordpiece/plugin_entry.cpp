// The plugin's entry points; kept apart so that the fuzzer and other
// in-process users compile the tokenizer without them.
#include "wordpiece_tokenizer.hpp"

BERTLAB_PLUGIN(bertlab::wordpiece::WordPieceTokenizer, "wordpiece", "1.0.0",
               "BERT WordPiece tokenizer, identical to Hugging Face tokenizers' (uncased and cased vocabularies)")
