import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { likePattern } from './page.js';
import { SortablePageQuery } from './page-query.dto.js';

class Query extends SortablePageQuery(['name', 'created_at'] as const) {}

const check = async (raw: Record<string, string>) => {
  const dto = plainToInstance(Query, raw);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return { dto, fields: errors.map((e) => e.property) };
};

describe('page query', () => {
  it('defaults to page 1 of 20 and converts query strings to numbers', async () => {
    expect((await check({})).dto).toMatchObject({ page: 1, page_size: 20 });
    const { dto, fields } = await check({ page: '3', page_size: '100', sort: 'name', order: 'desc', keyword: 'x' });
    expect(fields).toEqual([]);
    expect(dto).toMatchObject({ page: 3, page_size: 100, sort: 'name', order: 'desc' });
  });

  it('refuses page_size 0 and 101, page 0, non-integers, unknown sort fields and orders', async () => {
    for (const [raw, field] of [
      [{ page_size: '0' }, 'page_size'],
      [{ page_size: '101' }, 'page_size'],
      [{ page_size: '2.5' }, 'page_size'],
      [{ page: '0' }, 'page'],
      [{ page: 'abc' }, 'page'],
      [{ sort: 'password_hash' }, 'sort'],
      [{ sort: 'name desc' }, 'sort'],
      [{ order: 'DESC' }, 'order'],
      [{ keyword: 'k'.repeat(101) }, 'keyword'],
    ] as [Record<string, string>, string][]) {
      expect((await check(raw)).fields, JSON.stringify(raw)).toEqual([field]);
    }
  });

  it('keyword patterns match % and _ literally and ignore case', () => {
    expect(likePattern('Ab')).toBe('%ab%');
    expect(likePattern('100%_!')).toBe('%100!%!_!!%');
  });
});
