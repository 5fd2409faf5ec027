def caesar_shift(text, shift):
    out = []
    for ch in text:
        if ch.isalpha() and ch.isascii():
            out.append(chr((ord(ch.lower()) - 97 + shift) % 26 + 97))
        else:
            out.append(ch)
    return "".join(out)
