/**
 * Writes plain data (objects, arrays, strings, numbers, booleans) as block-style YAML: enough for a
 * CloudFormation template, without a YAML dependency. Strings are quoted whenever a YAML parser
 * could read them as anything but that string (numbers, booleans, dates, special characters).
 */
export function toYaml(value: Readonly<Record<string, unknown>>): string {
  return `${block(value, 0).join('\n')}\n`;
}

type Scalar = string | number | boolean;

function block(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown) => {
      if (isScalar(item)) return [`${pad}- ${scalar(item)}`];
      const [first = '{}', ...rest] = block(item, indent + 2);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .flatMap(([key, item]) => {
      if (isScalar(item)) return [`${pad}${key}: ${scalar(item)}`];
      if (Array.isArray(item) && item.length === 0) return [`${pad}${key}: []`];
      if (!Array.isArray(item) && Object.keys(item as object).length === 0) return [`${pad}${key}: {}`];
      return [`${pad}${key}:`, ...block(item, indent + 2)];
    });
}

const isScalar = (value: unknown): value is Scalar => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** YAML 1.1 reads these (in any case) as booleans or null. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~']);
/** A plain scalar that every YAML parser reads back as this same string. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*(?:::?[A-Za-z0-9_./-]+)*$/;

function scalar(value: Scalar): string {
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.has(value.toLowerCase())) return value;
  return `'${value.replaceAll("'", "''")}'`;
}
