def roman_to_int(numeral):
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    numeral = numeral.replace("IV", "IIII").replace("IX", "VIIII")
    return sum(values[ch] for ch in numeral)
