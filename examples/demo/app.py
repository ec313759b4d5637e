import math


def area(r):
    return math.pi * r * r


def describe(shape):
    name = shape["name"]
    return "shape: " + name


def total(values):
    s = 0
    for v in values:
        s = s + v
    return s
