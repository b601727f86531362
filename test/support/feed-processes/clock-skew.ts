// Loaded with `node --import` before a child's own code (see feed-process-group.ts): sets this
// process's clock CLOCK_SKEW_MS off the machine's, for everything that reads the time through
// `Date` (the module's commit times, lease expiries, the AWS SDK). `performance` stays true.
const skewMs = Number(process.env.CLOCK_SKEW_MS ?? 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...(args as [string | number | Date]));
  }

  static override now(): number {
    return RealDate.now() + skewMs;
  }
}

// `Date()` called without `new` returns a string of the current time: skewed too.
const SkewedDateFunction = new Proxy(SkewedDate, {
  apply: () => new SkewedDate().toString(),
});

globalThis.Date = SkewedDateFunction as DateConstructor;
