import { Annotations } from 'cdktf';
import { CostEstimator, CostLine, CostUnit, IPriceCatalog, PriceQuote } from '../../lib/core/cost-estimate';
import { ValidationError } from '../../lib/core/errors';
import { newApp, newStack, readStackOutput } from '../helpers';

const quote = (usd: number, unit: string): PriceQuote => ({ usd, unit, source: 'test', date: '2026-07-20', basis: 'price-list' });
const CATALOG: IPriceCatalog = {
  cloudName: 'test',
  price: (key: string, region: string) => region !== 'us-east-1' ? undefined
    : ({ 'ec2:gpu': quote(10, 'hour'), 'ec2:small': quote(0.1, 'hour'), 'disk': quote(0.08, 'GB-month') } as { [k: string]: PriceQuote })[key],
};
const line = (over: Partial<CostLine>): CostLine => ({
  component: 'stack/C', resource: 'r', region: 'us-east-1', unit: CostUnit.HOUR, baselineQuantity: 0, fullScaleQuantity: 0,
  priceKey: 'ec2:small', assumption: 'a', ...over,
});

describe('CostEstimator', () => {
  test('prices baseline and full scale, per component and per GPU pool, spot expected beside the ceiling', () => {
    const e = CostEstimator.estimate([
      line({ component: 'stack/Sys', baselineQuantity: 2 * 730, fullScaleQuantity: 6 * 730 }),
      line({ component: 'stack/Sys', unit: CostUnit.GB_MONTH, priceKey: 'disk', baselineQuantity: 100, fullScaleQuantity: 300 }),
      line({ component: 'stack/Pool', gpuPool: 'stack/Pool', priceKey: 'ec2:gpu', baselineQuantity: 730, fullScaleQuantity: 4 * 730, expectedPriceFactor: 0.4 }),
    ], [], CATALOG);
    expect(e.lines.map((l) => [l.baselineUsd, l.fullScaleUsd, l.fullScaleExpectedUsd])).toEqual([
      [146, 438, 438], [8, 24, 24], [7300, 29200, 11680],
    ]);
    expect([e.baselineUsd, e.fullScaleUsd, e.fullScaleExpectedUsd]).toEqual([7454, 29662, 12142]);
    expect(e.components.map((c) => [c.key, c.baselineUsd, c.fullScaleUsd])).toEqual([['stack/Sys', 154, 462], ['stack/Pool', 7300, 29200]]);
    expect(e.gpuPools.map((c) => [c.key, c.fullScaleExpectedUsd])).toEqual([['stack/Pool', 11680]]);
    expect(e.unpriced).toEqual([]);
    expect([e.oldestPriceDate, e.newestPriceDate]).toEqual(['2026-07-20', '2026-07-20']);
  });

  test('totals per cost allocation value, for every tag key the lines carry', () => {
    const platform = { team: 'ml-platform', 'cost-center': 'cc-1' };
    const e = CostEstimator.estimate([
      line({ baselineQuantity: 730, fullScaleQuantity: 730, costAllocation: platform }),
      line({ priceKey: 'ec2:gpu', fullScaleQuantity: 730, costAllocation: { team: 'fraud', 'cost-center': 'cc-1' } }),
      line({ baselineQuantity: 730, fullScaleQuantity: 730 }),
    ], [], CATALOG);
    expect(e.costAllocations.map((g) => [g.key, g.baselineUsd, g.fullScaleUsd])).toEqual([
      ['team=ml-platform', 73, 73], ['team=fraud', 0, 7300], ['team=(untagged)', 73, 73],
      ['cost-center=cc-1', 73, 7373], ['cost-center=(untagged)', 73, 73],
    ]);
  });

  test('an unpriced line is left out of the totals and named in a warning, never counted as zero silently', () => {
    const e = CostEstimator.estimate([
      line({ baselineQuantity: 730, fullScaleQuantity: 730 }),
      line({ region: 'eu-west-1', priceKey: 'ec2:gpu', resource: 'GPU nodes', component: 'stack/Pool', fullScaleQuantity: 730 }),
    ], [], CATALOG);
    expect(e.baselineUsd).toBe(73);
    expect(e.unpriced.map((l) => l.priceKey)).toEqual(['ec2:gpu']);
    expect(e.warnings).toEqual([expect.stringMatching(/no test price for ec2:gpu in eu-west-1 \(GPU nodes of stack\/Pool\)/)]);
  });

  test('a budget exceeded at full scale warns and names the pools whose scale-up pushes it over', () => {
    const e = CostEstimator.estimate([
      line({ baselineQuantity: 730, fullScaleQuantity: 730 }),
      line({ component: 'stack/Big', gpuPool: 'stack/Big', priceKey: 'ec2:gpu', fullScaleQuantity: 4 * 730 }),
      line({ component: 'stack/Small', gpuPool: 'stack/Small', priceKey: 'ec2:gpu', fullScaleQuantity: 730 }),
    ], [{ path: 'stack/Budget', monthlyLimitUsd: 10000 }], CATALOG);
    expect(e.fullScaleUsd).toBe(36573);
    expect(e.budgets[0]).toMatchObject({ baselineExceeds: false, fullScaleExceeds: true, poolsOverBudget: ['stack/Big'] });
    expect(e.warnings).toEqual([expect.stringMatching(/full scale costs \$36,573.00\/month .* over the budget of \$10,000.00 at stack\/Budget\. The scale-up of GPU pool\(s\) stack\/Big pushes it over/)]);
    const fits = CostEstimator.estimate(e.lines.map((l) => l.line), [{ path: 'stack/Budget', monthlyLimitUsd: 40000 }], CATALOG);
    expect(fits.budgets[0].fullScaleExceeds).toBe(false);
    expect(fits.warnings).toEqual([]);
  });
});

describe('PlatformStack cost estimate at synth', () => {
  test('the baseline alone over the budget fails synth with a ValidationError, and the report keeps the estimate', () => {
    const app = newApp();
    const stack = newStack({}, app, 'costly');
    stack.usePriceCatalog(CATALOG);
    stack.addCostLine(line({ component: 'costly/Pool', gpuPool: 'costly/Pool', priceKey: 'ec2:gpu', baselineQuantity: 2 * 730, fullScaleQuantity: 2 * 730 }));
    stack.addBudget({ path: 'costly/Budget', monthlyLimitUsd: 1000 });
    expect(() => app.synth()).toThrow(ValidationError);
    expect(() => app.synth()).toThrow(/monthlyLimitUsd of the budget at costly\/Budget is exceeded by the baseline alone: \$14,600.00\/month/);
    const { report, json } = readStackOutput(app.outdir, 'costly');
    expect(json).toBeUndefined();
    expect(report.status).toBe('failed');
    expect(report.costEstimate.total.baselineUsd).toBe(14600);
    expect(report.costEstimate.budgets[0]).toMatchObject({ baselineExceeds: true, fullScaleExceeds: true });
  });

  test('full scale over the budget is an Annotations warning, and synth goes on', () => {
    const app = newApp();
    const stack = newStack({}, app, 'burst');
    stack.usePriceCatalog(CATALOG);
    stack.addCostLine(line({ component: 'burst/Pool', gpuPool: 'burst/Pool', priceKey: 'ec2:gpu', fullScaleQuantity: 8 * 730 }));
    stack.addBudget({ path: 'burst/Budget', monthlyLimitUsd: 1000 });
    const warn = jest.spyOn(Annotations.prototype, 'addWarning');
    try {
      app.synth();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/over the budget of \$1,000.00 at burst\/Budget\. The scale-up of GPU pool\(s\) burst\/Pool/));
    } finally {
      warn.mockRestore();
    }
    const { report, markdown } = readStackOutput(app.outdir, 'burst');
    expect(report.status).toBe('ok');
    expect(report.costEstimate.budgets[0].poolsOverBudget).toEqual(['burst/Pool']);
    expect(markdown).toMatch(/## Cost estimate/);
    expect(markdown).toMatch(/\| budget `burst\/Budget` \| \$1,000.00 \| \*\*exceeded\*\*/);
  });

  test('usage assumptions are checked', () => {
    expect(() => newStack({ usageAssumptions: { spotDiscountPercent: 100 } })).toThrow(/usageAssumptions.spotDiscountPercent/);
    expect(() => newStack({ usageAssumptions: { objectStorageGiBPerBucket: -1 } })).toThrow(/usageAssumptions.objectStorageGiBPerBucket/);
    expect(newStack({ usageAssumptions: { natProcessedGiBPerMonth: 1000 } }).usage.natProcessedGiBPerMonth).toBe(1000);
  });
});
