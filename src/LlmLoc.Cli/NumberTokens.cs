using System.CommandLine;
using System.CommandLine.Parsing;

namespace LlmLoc.Cli;

/// <summary>
/// Number flags take plain invariant numbers only. System.CommandLine parses them with thousands separators allowed, so
/// "--percentage 1,5" (a decimal comma, typed under a German locale) would silently run as 15: refused instead.
/// </summary>
internal static class NumberTokens
{
    static readonly HashSet<Type> Numeric = [typeof(int), typeof(long), typeof(double), typeof(float), typeof(decimal)];

    /// <summary>The first numeric flag given a value with a comma, as a one-line message; null when there is none.</summary>
    public static string? Problem(ParseResult parse)
    {
        for (SymbolResult? command = parse.CommandResult; command is not null; command = command.Parent)
            if (command is CommandResult result)
                foreach (var option in result.Children.OfType<OptionResult>())
                {
                    var type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
                    if (type.IsArray) type = type.GetElementType()!;
                    if (!Numeric.Contains(type)) continue;
                    foreach (var token in option.Tokens)
                        if (token.Value.Contains(','))
                            return $"{option.Option.Name} '{token.Value}' is not a number: write numbers with a decimal point and no thousands separator, e.g. {option.Option.Name} 1.5";
                }
        return null;
    }
}
