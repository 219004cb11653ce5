using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LlmLoc.Masks;

/// <summary>
/// The network part of a custom localizer's cache names, <c>network={name}-{hash}</c>: the hash is the first 8 hex
/// digits (lower case) of the SHA-256 of both conditions' token ids — exactly what the model reads — so two
/// definitions with one name (or one definition read by two tokenizers) never share a cache entry.
/// </summary>
public static class CustomNetworks
{
    public const int HashDigits = 8;

    /// <summary><c>{name}-{hash}</c> of the ids the model reads for the positive and the negative condition.</summary>
    public static string NetworkName(string name, IReadOnlyList<IReadOnlyList<int>> positive, IReadOnlyList<IReadOnlyList<int>> negative) =>
        $"{name}-{IdsHash(positive, negative)}";

    /// <summary>
    /// The bytes hashed, all integers unsigned 32-bit little-endian: for the positive condition, then the negative one,
    /// its item count; then per item, in the order the model reads them, its token count and its token ids.
    /// </summary>
    public static string IdsHash(IReadOnlyList<IReadOnlyList<int>> positive, IReadOnlyList<IReadOnlyList<int>> negative)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var word = new byte[4];
        void Add(int value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, checked((uint)value));
            sha.AppendData(word);
        }
        foreach (var condition in new[] { positive, negative })
        {
            Add(condition.Count);
            foreach (var item in condition)
            {
                Add(item.Count);
                foreach (int id in item) Add(id);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..HashDigits];
    }

    /// <summary>True when <paramref name="network"/> is a cache network of the custom localizer <paramref name="name"/>:
    /// <c>{name}-{8 lower-case hex digits}</c>.</summary>
    public static bool IsOf(string network, string name) =>
        network.Length == name.Length + 1 + HashDigits && network.StartsWith(name + "-", StringComparison.Ordinal)
        && network[(name.Length + 1)..].All(char.IsAsciiHexDigitLower);
}
