import { Column, CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * What roles and permissions share: a coded, named entry of a catalogue, part of which
 * is system data created at first start. Each entity declares its own `code` column
 * (their lengths and unique indexes differ) and what it links to.
 */
export abstract class CatalogueEntry {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  abstract code: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  @Column({ name: 'is_system', type: 'boolean', default: false })
  isSystem: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt: Date;
}
