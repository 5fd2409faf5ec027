def count_vowel_initial_words(sentence):
    return sum(1 for word in sentence.split() if word[0].lower() in "aeiou")
