"""The ground floor: the capability grammar and the one implementation of each shared concept."""
