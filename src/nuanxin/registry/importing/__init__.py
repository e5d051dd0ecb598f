"""Excel import of the two ledgers (企业台账, 从业人员台账); see ``engine``."""
