// danfojs-node does require('@tensorflow/tfjs-node') for its tensor helpers; the plain tfjs API is all it uses, and
// the real package needs libtensorflow downloaded at install time. Hand it the one tfjs copy of this repository.
'use strict';
module.exports = require('@tensorflow/tfjs');
