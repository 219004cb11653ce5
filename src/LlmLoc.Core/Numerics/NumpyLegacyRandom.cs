namespace LlmLoc.Numerics;

/// <summary>
/// numpy's legacy global random state (<c>np.random.seed</c> / <c>RandomState</c>): MT19937 with numpy's integer
/// seeding, 53-bit doubles, masked rejection sampling for bounded integers, and the legacy shuffle/choice rules.
/// Streams are bit-identical to numpy for the calls implemented here, so seeds chosen in the Python original
/// reproduce the same masks and stimuli.
/// </summary>
public sealed class NumpyLegacyRandom
{
    const int StateLength = 624;
    const int ShiftSize = 397;
    const uint UpperMask = 0x80000000u;
    const uint LowerMask = 0x7fffffffu;
    const uint MatrixA = 0x9908b0dfu;

    readonly uint[] _state = new uint[StateLength];
    int _position;

    public NumpyLegacyRandom(uint seed) => Seed(seed);

    /// <summary>As <c>np.random.seed(seed)</c> for a Python int in [0, 2^32): numpy's integer path (Knuth's linear init).</summary>
    public void Seed(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < StateLength; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked(1812433253u * (previous ^ (previous >> 30)) + (uint)i);
        }
        _position = StateLength;
    }

    /// <summary>The next raw 32-bit output of the generator.</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
            Regenerate();
        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>64 bits from two draws, high word first (numpy's mt19937 next_uint64).</summary>
    public ulong NextUInt64()
    {
        ulong high = NextUInt32();
        return (high << 32) | NextUInt32();
    }

    /// <summary><c>np.random.randint(low, high)</c> with Python ints (dtype int64): a value in [low, high).</summary>
    public long RandInt(long low, long high)
    {
        Span<long> one = stackalloc long[1];
        RandInt(low, high, one);
        return one[0];
    }

    /// <summary>
    /// <c>randint(low, high, size)</c> (dtype int64) filling <paramref name="destination"/> in C order: numpy fills an
    /// array with the same masked rejection draws, one after another, as repeated scalar calls (32-bit draws when
    /// high − low − 1 fits 32 bits, else 64-bit), so a (B, n) array is B·n consecutive scalar draws.
    /// </summary>
    public void RandInt(long low, long high, Span<long> destination)
    {
        if (high <= low)
            throw new ArgumentOutOfRangeException(nameof(high), $"randint needs low < high (got low={low}, high={high})");
        ulong range = unchecked((ulong)(high - 1) - (ulong)low);
        if (range is > 0 and < uint.MaxValue)
        {
            // The common case (bootstrap resamples) without re-deriving the mask per draw.
            uint mask = (uint)SmallestMaskCovering(range), max = (uint)range;
            for (int i = 0; i < destination.Length; i++)
            {
                uint value;
                do value = NextUInt32() & mask; while (value > max);
                destination[i] = low + value;
            }
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] = unchecked(low + (long)BoundedMasked(range));
    }

    /// <summary><c>np.random.choice(items)</c>: one element, drawn as randint(0, len(items)).</summary>
    public T Choice<T>(IReadOnlyList<T> items)
    {
        if (items.Count == 0)
            throw new ArgumentException("cannot choose from an empty list ('a' cannot be empty unless no samples are taken)", nameof(items));
        return items[(int)RandInt(0, items.Count)];
    }

    /// <summary>
    /// <c>np.random.choice(items, size, replace=False)</c> without probabilities: numpy's legacy rule permutes the
    /// WHOLE population and keeps the first <paramref name="size"/> entries.
    /// </summary>
    public long[] ChoiceWithoutReplacement(long[] items, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size > items.Length)
            throw new ArgumentException($"cannot take a larger sample ({size}) than the population ({items.Length}) without replacement", nameof(size));
        if (items.Length == 0 && size > 0)
            throw new ArgumentException("'a' cannot be empty unless no samples are taken", nameof(items));
        long[] order = Permutation(items.Length);
        var result = new long[size];
        for (int i = 0; i < size; i++)
            result[i] = items[order[i]];
        return result;
    }

    /// <summary><c>np.random.permutation(n)</c>: a shuffled <c>arange(n)</c>.</summary>
    public long[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var values = new long[n];
        for (int i = 0; i < n; i++)
            values[i] = i;
        Shuffle<long>(values);
        return values;
    }

    /// <summary><c>np.random.shuffle(x)</c> for a 1-D array: Fisher-Yates from the end, j = random_interval(i).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i >= 1; i--)
        {
            int j = (int)Interval((ulong)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>numpy's random_interval: uniform in [0, max] by masked rejection.</summary>
    ulong Interval(ulong max) => max == 0 ? 0 : BoundedMasked(max);

    /// <summary>Uniform in [0, range] (inclusive) by drawing masked values until one is not above the range.</summary>
    ulong BoundedMasked(ulong range)
    {
        if (range == 0)
            return 0;
        if (range <= uint.MaxValue)
        {
            if (range == uint.MaxValue)
                return NextUInt32();
            uint mask = (uint)SmallestMaskCovering(range);
            uint value;
            do value = NextUInt32() & mask; while (value > range);
            return value;
        }
        if (range == ulong.MaxValue)
            return NextUInt64();
        ulong wideMask = SmallestMaskCovering(range);
        ulong wide;
        do wide = NextUInt64() & wideMask; while (wide > range);
        return wide;
    }

    static ulong SmallestMaskCovering(ulong value)
    {
        value |= value >> 1;
        value |= value >> 2;
        value |= value >> 4;
        value |= value >> 8;
        value |= value >> 16;
        value |= value >> 32;
        return value;
    }

    void Regenerate()
    {
        int k;
        uint y;
        for (k = 0; k < StateLength - ShiftSize; k++)
        {
            y = (_state[k] & UpperMask) | (_state[k + 1] & LowerMask);
            _state[k] = _state[k + ShiftSize] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : MatrixA);
        }
        for (; k < StateLength - 1; k++)
        {
            y = (_state[k] & UpperMask) | (_state[k + 1] & LowerMask);
            _state[k] = _state[k + (ShiftSize - StateLength)] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : MatrixA);
        }
        y = (_state[StateLength - 1] & UpperMask) | (_state[0] & LowerMask);
        _state[StateLength - 1] = _state[ShiftSize - 1] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : MatrixA);
        _position = 0;
    }
}
